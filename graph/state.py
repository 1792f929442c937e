"""The typed state of the inference graph: the request (`InputState`) and everything a run accumulates."""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

from pydantic import BaseModel, ConfigDict

from anysym.graph.result import Attempt, AttemptStage, LLMCall, OutputFile, Result
from anysym.language.diagnostics import Diagnostic

__all__ = ["Draft", "Example", "InputState", "State", "merge_attempts"]


def merge_attempts(left: list[Attempt], right: list[Attempt]) -> list[Attempt]:
    """Reduce attempts: a new index is appended, a known index replaces (execute updates the last one)."""
    merged = list(left)
    for attempt in right:
        if attempt.index < len(merged):
            merged[attempt.index] = attempt
        else:
            merged.append(attempt)
    return merged


class Example(BaseModel):
    """A retrieved reference program, rendered in the run's syntax."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    description: str
    text: str
    node_types: tuple[str, ...]
    score: float = 0.0


class Draft(BaseModel):
    """A program text written by the LLM (or a user edit), waiting to be compiled."""

    model_config = ConfigDict(frozen=True)

    stage: AttemptStage
    text: str
    extraction_error: Diagnostic | None = None
    repairs: tuple[str, ...] = ()
    """Deterministic repairs already applied to `text` (psi1's task-fact repairs), one line each."""


class InputState(TypedDict):
    """The request: what the caller passes to `ainvoke`."""

    task: str
    """The natural-language task."""
    inputs: list[str]
    """Paths of the input files (their file names are what the flow refers to)."""
    key_functions: list[str]
    """Pinned functions, each `Type(name=value, ...)`; may be empty."""


class State(InputState, total=False):
    """Everything a run accumulates; fields appear as the nodes that write them run."""

    examples: list[Example]
    """Retrieved reference programs (written once by retrieve)."""
    suggested_types: list[str]
    """Node types found by node search for the task's steps, best first (written once by retrieve)."""
    step_types: list[list[str]]
    """The node types found for the whole task, then for each step, best first (written by retrieve)."""
    aside_types: list[str]
    """Node types of retrieved programs left out as off-task: the excerpt's last resort (retrieve)."""
    components: str
    """psi1's functions-only program text (written by infer_components)."""
    components_round: int
    """How many attempts existed when refine wrote `components` (psi2 then links them as a refine)."""
    components_repairs: list[str]
    """The task-fact repairs applied to psi1's answer (carried into psi2's draft)."""
    draft: Draft
    """The latest program text to compile (psi2, one-step, refine, search or a user edit)."""
    search_queue: list[Draft]
    """Local edits of the flow that last failed verification, still to try (written by search)."""
    search_base: int
    """The index of the attempt whose local edits search queued."""
    search_round: int
    """How many attempts existed when search handed its latest edit to compile."""
    attempts: Annotated[list[Attempt], merge_attempts]
    """Every compiled candidate, in order; the last one is the current attempt."""
    prompt: dict[str, Any]
    """The current attempt's ComfyUI API prompt (after a successful compile)."""
    workflow: dict[str, Any]
    """The same flow as a ComfyUI UI workflow (opens in the editor; embedded in the saved images)."""
    llm_calls: Annotated[list[LLMCall], operator.add]
    """Every LLM call with its usage."""
    outputs: list[OutputFile]
    """Files produced by the successful execution."""
    comfy_s: Annotated[float, operator.add]
    """Seconds spent in ComfyUI (upload, queue, run, download)."""
    node_s: Annotated[float, operator.add]
    """Seconds spent inside nodes (LLM and ComfyUI time included)."""
    result: Result
    """The final result (written by finalize)."""
