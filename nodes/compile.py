"""compile: extract -> parse -> deterministic repairs -> validate -> key functions -> ComfyUI API prompt."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from langgraph.runtime import Runtime

from anysym.errors import ALangError, CompileError
from anysym.graph.context import Context
from anysym.graph.deps import Deps
from anysym.graph.result import Attempt
from anysym.graph.state import Draft, State
from anysym.inference.keys import KeyFunction, check_key_functions, parse_key_function
from anysym.language.catalog import Catalog
from anysym.language.comfy_format import to_api
from anysym.language.diagnostics import Diagnostic, DiagnosticKind, has_errors
from anysym.language.flow import Flow
from anysym.language.syntax import Syntax, detect_syntax, parse
from anysym.language.ui_export import to_ui
from anysym.language.validate import validate
from anysym.repair.flow_repairs import repair
from anysym.repair.loose_loaders import link_loose_loaders
from anysym.repair.task_repairs import apply_task_repairs
from anysym.verify.checks import BLOCKING, check_static
from anysym.verify.expectations import expect

__all__ = ["TaskFacts", "compile_draft", "compile_flow"]


class TaskFacts(NamedTuple):
    """The task text and its input files: what task repairs and static checks read."""

    task: str
    inputs: Sequence[Path]


async def compile_flow(state: State, runtime: Runtime[Context], *, deps: Deps) -> dict[str, Any]:
    """Compile the current draft into a new attempt (and its API prompt when it is valid)."""
    context = runtime.context
    keys = [parse_key_function(k) for k in state.get("key_functions", [])]
    index = len(state.get("attempts", []))
    inputs = [Path(p) for p in state.get("inputs", [])]
    attempt, prompt = compile_draft(
        state["draft"],
        index=index,
        catalog=deps.catalog,
        syntax=context.syntax,
        keys=keys,
        repairs=context.repairs,
        task=TaskFacts(state["task"], inputs) if context.task_repairs or context.verify else None,
        task_repairs=context.task_repairs,
        loose_links=context.loose_links,
        verify=context.verify,
    )
    workflow = to_ui(attempt.flow, deps.catalog) if prompt and attempt.flow is not None else {}
    return {"attempts": [attempt], "prompt": prompt or {}, "workflow": workflow}


def compile_draft(
    draft: Draft,
    *,
    index: int,
    catalog: Catalog,
    syntax: Syntax,
    keys: Sequence[KeyFunction] = (),
    repairs: bool = True,
    task: TaskFacts | None = None,
    task_repairs: bool = True,
    loose_links: bool = True,
    verify: bool = True,
) -> tuple[Attempt, dict[str, Any] | None]:
    """Turn a draft into an attempt; the API prompt is returned only when the attempt is valid.

    With `task`, the task-fact repairs (`task_repairs`; with `loose_links` too, an unused loader of a
    task file linked where it is missing) and the static task checks (`verify`: every input loaded, no
    loader of a file the task lacks, every function reaching an output) apply too.
    """
    base = {"index": index, "stage": draft.stage, "text": draft.text}
    if draft.extraction_error is not None:
        return Attempt(**base, diagnostics=(draft.extraction_error,), failed_stage="extract"), None
    notes = list(draft.repairs)
    try:
        flow = _parse(draft.text, syntax, notes)
    except ALangError as exc:
        diagnostics = exc.diagnostics or [Diagnostic(kind=DiagnosticKind.SYNTAX_ERROR, message=exc.message)]
        return Attempt(
            **base, diagnostics=tuple(diagnostics), failed_stage="parse", stage_reached="extracted"
        ), None
    if repairs:
        flow, more = repair(flow, catalog)
        notes.extend(more)
    if task is not None and task_repairs:
        flow, more = apply_task_repairs(flow, task=task.task, inputs=task.inputs, catalog=catalog)
        notes.extend(more)
        if loose_links:
            flow, more = link_loose_loaders(flow, [Path(p).name for p in task.inputs], catalog)
            notes.extend(more)
    parsed = {**base, "flow": flow, "repairs": tuple(notes), "stage_reached": "parsed"}
    diagnostics = validate(flow, catalog)
    if has_errors(diagnostics):
        return Attempt(**parsed, diagnostics=tuple(diagnostics), failed_stage="validate"), None
    missing = check_key_functions(flow, keys)
    if missing:
        return Attempt(**parsed, diagnostics=(*missing, *diagnostics), failed_stage="key_functions"), None
    if task is not None and verify:
        unmet = [d for d in check_static(flow, expect(task.task, task.inputs), catalog) if d.kind in BLOCKING]
        if has_errors(unmet):
            return Attempt(**parsed, diagnostics=(*unmet, *diagnostics), failed_stage="verify"), None
    try:
        prompt = to_api(flow, catalog)
    except CompileError as exc:
        return Attempt(**parsed, diagnostics=(*exc.diagnostics, *diagnostics), failed_stage="compile"), None
    valid = {**parsed, "stage_reached": "valid"}
    return Attempt(**valid, diagnostics=tuple(diagnostics)), prompt


def _parse(text: str, syntax: Syntax, notes: list[str]) -> Flow:
    try:
        return parse(text, syntax)
    except ALangError:
        other = detect_syntax(text)
        if other == syntax:
            raise
        try:
            flow = parse(text, other)
        except ALangError:
            pass
        else:
            notes.append(f"read the program as {other} syntax (it was not written in {syntax})")
            return flow
        raise
