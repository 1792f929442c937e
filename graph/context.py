"""`Context`: the run configuration of the inference graph (LangGraph `context_schema`)."""

from __future__ import annotations

import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from anysym.language.syntax import Syntax

__all__ = ["Context", "parse_option"]


@dataclass(frozen=True, kw_only=True)
class Context:
    """How one run of the engine behaves: syntax, retrieval, refinement budget, ablation switches.

    Supplied at invoke time (`graph.ainvoke(state, context=Context(...))`) and read by nodes as
    `runtime.context`. Environment variables are parsed by the CLI, never here.
    """

    model: str = field(default="", metadata={"description": "Chat model name (recorded in the result)."})
    base_url: str | None = field(
        default=None, metadata={"description": "OpenAI-compatible endpoint the chat model talks to."}
    )
    syntax: Syntax = field(
        default="declarative",
        metadata={"description": "A-Language syntax the LLM writes: declarative, dataflow or pseudo."},
    )
    k: int = field(default=3, metadata={"description": "How many reference programs to retrieve."})
    node_k: int = field(
        default=3,
        metadata={"description": "Node types searched per task step (0: no node search)."},
    )
    example_values: bool = field(
        default=True,
        metadata={"description": "Show the examples' literal values (False: reset to input defaults)."},
    )
    rerank_examples: bool = field(
        default=False,  # lost its ablation: 20% vs 24% resolved, 88% vs 96% executed (25 cpu tasks, 0.5B)
        metadata={"description": "Rerank the retrieved programs by the node types found per task step."},
    )
    match_example_inputs: bool = field(
        default=True,
        metadata={
            "description": "Leave out retrieved programs that load no file when the task gives files, "
            "or load files when it gives none (they do another job)."
        },
    )
    filter_examples: bool = field(
        # won its ablation: resolved 7 vs 6 of 18 cpu tasks (0.5B), 103 vs 148 s and 12.1k vs 17.1k
        # prompt tokens per run
        default=True,
        metadata={
            "description": "Leave out retrieved programs most of whose working node types no node "
            "search of the task found (they do another job)."
        },
    )
    parameter_step: bool = field(
        default=False,
        metadata={
            "description": "After psi1, a short prompt without the reference programs sets the chosen "
            "functions' parameters from the task, signatures and node documentation."
        },
    )
    node_docs: bool = field(
        default=False,  # on, the 0.5B dropped the resize of the README's main job (+~600 tokens)
        metadata={"description": "Show each catalog entry's one-line documentation in prompts."},
    )
    refine_in_steps: bool = field(
        default=True,
        metadata={
            "description": "Refine writes the corrected functions, then psi2 links them with the typed "
            "grammar (False: one rewrite of the whole program)."
        },
    )
    refine_fresh_examples: bool = field(
        default=True,
        metadata={"description": "Refine prompts leave out the examples the failed flow copied."},
    )
    candidates: int = field(
        default=3,  # won its ablation: resolved 8 vs 6 of 25 cpu tasks (0.5B), +20% wall time
        metadata={
            "description": "Answers sampled at most per functions step (psi1, refine); the first that "
            "fits the task's static facts is taken, else the best."
        },
    )
    search_budget: int = field(
        default=8,
        metadata={
            "description": "Local edits of a flow that failed verification executed at most, before "
            "refine (0: no search)."
        },
    )
    sequence_edits: bool = field(
        default=True,
        metadata={
            "description": "Search may batch the files a task names as its frames or results, in the "
            "order it names them (an ImageBatch chain where the flow takes one of them)."
        },
    )
    copied_steps: bool = field(
        default=True,
        metadata={
            "description": "Verify fails a working function only a shown reference program explains "
            "(its type unsearched and unnamed by the task)."
        },
    )
    crop_check: bool = field(
        default=True,
        metadata={
            "description": "Verify fails a flow that resizes where the task cuts a region out of a file "
            "(no function takes x, y, width and height), and search tries the catalog's crop there."
        },
    )
    shared_prefix: bool = field(
        default=True,
        metadata={
            "description": "psi2 shows psi1's catalog excerpt unchanged, so its prompt shares psi1's "
            "whole context and the LLM server reads only the new step from its prompt cache (False: "
            "psi1's functions first in psi2's excerpt)."
        },
    )
    continued_chat: bool = field(
        default=True,
        metadata={
            "description": "psi2 is the next turn of psi1's chat (psi1's question, its functions as the "
            "model's answer, then the links question), so the LLM server reads only the new question "
            "(False: one message that restates psi1's functions). Needs shared_prefix's excerpt."
        },
    )
    vary_examples: bool = field(
        default=True,
        metadata={
            "description": "Sampled answer n of a functions step is asked with the retrieved programs "
            "rotated by n, so another one comes first (False: every sample sees the same prompt)."
        },
    )
    brief_descriptions: bool = field(
        default=True,
        metadata={
            "description": "Each reference program in a prompt is described by its title and first "
            "sentence, which names its node types and what they do (False: its whole description)."
        },
    )
    modality_name_matches: bool = field(
        # kept on: off resolved the same 16/25 cpu tasks (psi1's longest prompt 1,986 -> 1,851 tokens), but
        # the held-out suite's prompts then missed GrowMask for "shrink the disc" (node-type recall 94.5%,
        # under issue 12's 95% bar): the node search does not find it, the word "mask" did
        default=True,
        metadata={
            "description": "The catalog excerpt adds node types whose name holds a task word even when "
            'the word only names a kind of data ("latent": every Latent* type; False: operation words '
            "only)."
        },
    )
    compact_signatures: bool = field(
        # won its ablation: the same 16/25 cpu tasks resolved, psi1's longest prompt 1,986 -> 1,840 tokens,
        # 37.2 -> 35.4 s per task; with operation-only names too, the same 16/20 unseen tasks
        default=True,
        metadata={
            "description": "Catalog signatures write an output named like its type once and leave out "
            "range bounds from 4,000 on (a third fewer prompt tokens for size nodes; False: in full)."
        },
    )
    neutral_example: bool = field(
        default=True,
        metadata={
            "description": "The system prompt's syntax example has a placeholder step (False: the former "
            "LoadImage -> ImageInvert -> SaveImage example, which small models copied)."
        },
    )
    max_refinements: int = field(
        default=3, metadata={"description": "How many refine rounds may follow the first attempt."}
    )
    one_step: bool = field(
        default=False,
        metadata={"description": "Ablation: write functions and links in one LLM call (no psi1/psi2 split)."},
    )
    refine: bool = field(
        default=True, metadata={"description": "Ablation switch: False stops after the first failure."}
    )
    execute: bool = field(
        default=True,
        metadata={"description": "Run the flow on ComfyUI; False: dry run, stop at a valid compile."},
    )
    repairs: bool = field(
        default=True,
        metadata={"description": "Apply deterministic repairs (defaults, coercion, closest names) first."},
    )
    task_repairs: bool = field(
        default=True,
        metadata={
            "description": "Repair every draft from the task's facts: load its files, bind stated values."
        },
    )
    loose_links: bool = field(
        default=True,
        metadata={
            "description": "Link a task file's loader that nothing uses where exactly one value of its "
            "type is missing (a task repair)."
        },
    )
    verify: bool = field(
        default=True,
        metadata={"description": "Check flows and outputs against the task; a failed check is refined."},
    )
    constrained: bool = field(
        default=False,
        metadata={"description": "Constrain decoding with a grammar built from the prompt's catalog."},
    )
    review: bool = field(
        default=False,
        metadata={"description": "Interrupt before execute so a person can edit the flow, then resume."},
    )
    execute_timeout_s: float = field(
        default=600.0, metadata={"description": "Seconds one ComfyUI execution may take."}
    )
    max_llm_calls: int = field(
        default=12, metadata={"description": "Budget: at most this many LLM calls per run."}
    )
    max_catalog_entries: int = field(
        default=24, metadata={"description": "At most this many node signatures in a prompt."}
    )
    run_dir: Path | None = field(
        default=None, metadata={"description": "Directory for the run's artifacts (None: write nothing)."}
    )
    outputs_dir: Path | None = field(
        default=None,
        metadata={
            "description": "Folder for the output files when there is no run directory (None: `agenerate` "
            "makes one temporary folder per run and keeps only the result's files in it)."
        },
    )

    def __post_init__(self) -> None:
        # A LangGraph server builds the context from JSON (`Context(**dict)`): folders arrive as strings.
        for name in ("run_dir", "outputs_dir"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, Path(value))


_FOLDERS = ("run_dir", "outputs_dir")
"""Fields a command sets from its own `--out`, never from `--set`."""
_TRUE, _FALSE = ("true", "on", "yes", "1"), ("false", "off", "no", "0")


def parse_option(text: str) -> tuple[str, Any]:
    """Read `name=value` (a `Context` field, `--set` of `anysym run` and `anysym bench`) as a typed value.

    `none` gives None where a field allows it. Raises `ValueError` with a one-line message.
    """
    name, sep, raw = (part.strip() for part in text.partition("="))
    name = name.replace("-", "_")
    hints = typing.get_type_hints(Context)
    if not sep or name not in hints or name in _FOLDERS:
        settable = ", ".join(sorted(set(hints) - set(_FOLDERS)))
        raise ValueError(f"--set {text!r}: give name=value with a Context field name ({settable})")
    kind = hints[name]
    if typing.get_origin(kind) is not typing.Literal and type(None) in typing.get_args(kind):  # X | None
        if raw.lower() == "none":
            return name, None
        kind = next(k for k in typing.get_args(kind) if k is not type(None))
    try:
        return name, _typed(kind, raw)
    except ValueError as exc:
        raise ValueError(f"--set {name}={raw!r}: {exc}") from None


def _typed(kind: Any, raw: str) -> Any:
    if typing.get_origin(kind) is typing.Literal:
        if raw not in typing.get_args(kind):
            raise ValueError(f"choose one of {', '.join(map(str, typing.get_args(kind)))}")
        return raw
    if kind is bool:
        if raw.lower() not in (*_TRUE, *_FALSE):
            raise ValueError("give true or false")
        return raw.lower() in _TRUE
    if kind in (int, float):
        try:
            return kind(raw)
        except ValueError:
            raise ValueError(f"give a number ({kind.__name__})") from None
    if kind is Path:
        return Path(raw)
    if kind is str:
        return raw
    raise ValueError(f"cannot be set from text ({kind})")
