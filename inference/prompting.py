"""Filling the prompt templates from the state: task facts, examples, catalog excerpt, models."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from anysym.errors import ALangError
from anysym.executor.outputs import SUFFIX_KINDS
from anysym.graph.context import Context
from anysym.graph.deps import Deps
from anysym.graph.state import Example, State
from anysym.inference import prompts
from anysym.inference.catalog_excerpt import installed_models, select_types, signature
from anysym.language.catalog import Catalog
from anysym.language.flow import Flow, Function, Link
from anysym.language.io_nodes import CONVERTERS, loaders_for, savers_for
from anysym.language.syntax import Syntax, parse, render
from anysym.task.facts import describe_inputs, numbers_in
from anysym.verify.expectations import expect

__all__ = [
    "approx_tokens",
    "bullets",
    "components_prompt",
    "context_block",
    "fence",
    "fenced",
    "io_types",
    "output_budget",
    "output_count",
    "first_sentence",
    "render_examples",
    "shown_types",
    "signatures",
    "system_prompt",
    "task_fields",
]

_EXAMPLE = Flow.build(
    {
        "source": Function(type="LoadImage", params={"image": "input.png"}),
        "step": Function(type="NodeType", params={"param": 1}),
        "save": Function(type="SaveImage", params={"filename_prefix": "result"}),
    },
    [
        Link(source="source", output="IMAGE", target="step", input="image"),
        Link(source="step", output="IMAGE", target="save", input="images"),
    ],
)
"""The syntax example of the system prompt; its middle step is a placeholder, not a node type.

An example of a real edit is an answer a small model copies: with `inverted = ImageInvert` here, 16
of 50 first answers of the 0.5B in a cpu run began `inverted = ...` for tasks that invert nothing.
"""
_INVERT_EXAMPLE = Flow.build(
    {
        "photo": Function(type="LoadImage", params={"image": "photo.png"}),
        "inverted": Function(type="ImageInvert"),
        "save": Function(type="SaveImage", params={"filename_prefix": "inverted"}),
    },
    [
        Link(source="photo", output="IMAGE", target="inverted", input="image"),
        Link(source="inverted", output="IMAGE", target="save", input="images"),
    ],
)
"""The former example (an invert), kept for its ablation (`Context.neutral_example=False`)."""


def fence(syntax: str) -> str:
    """Return the info string of the code fence the LLM should use."""
    return {"declarative": "python", "dataflow": "python", "pseudo": "text"}.get(syntax, "text")


def fenced(program: str, syntax: str) -> str:
    """A program in one fenced code block, the form every step asks the model to answer in."""
    return f"```{fence(syntax)}\n{program.strip()}\n```"


def approx_tokens(text: str) -> int:
    """Approximate a token count as characters / 4 (no tokenizer download needed)."""
    return (len(text) + 3) // 4


def system_prompt(syntax: Syntax, *, neutral_example: bool = True) -> str:
    """Fill SYSTEM_PROMPT for `syntax` (with the placeholder example, or the former invert example)."""
    example = _EXAMPLE if neutral_example else _INVERT_EXAMPLE
    return prompts.SYSTEM_PROMPT.format(
        syntax=syntax, example=render(example, syntax).rstrip(), rules=prompts.SYNTAX_RULES[syntax]
    )


def render_examples(examples: Sequence[Example], *, brief: bool = True) -> str:
    """Render the retrieved programs, each with its description (`brief`: the first sentence) and code."""
    if not examples:
        return "(none)"
    described = ((ex, first_sentence(ex.description) if brief else ex.description) for ex in examples)
    return "\n\n".join(f"# {ex.title}: {about}\n```\n{ex.text.rstrip()}\n```" for ex, about in described)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def first_sentence(text: str) -> str:
    """The first sentence of `text`: up to a full stop followed by a capital (decimals never split)."""
    return _SENTENCE_END.split(text.strip(), maxsplit=1)[0]


def shown_types(state: State, context: Context, deps: Deps, first: Iterable[str] = ()) -> list[str]:
    """Pick the node types the prompt shows (see `select_types`)."""
    keys = [k.split("(", 1)[0].strip() for k in state.get("key_functions", [])]
    examples = [t for ex in state.get("examples", []) for t in ex.node_types]
    return select_types(
        deps.catalog,
        task=state["task"],
        first=[*keys, *first],
        examples=examples,
        suggested=state.get("suggested_types", []),
        aside=state.get("aside_types", []),
        io=io_types(state, deps.catalog),
        limit=context.max_catalog_entries,
        modality_names=context.modality_name_matches,
    )


def io_types(state: State, catalog: Catalog) -> list[str]:
    """The loaders of the task's inputs, the savers of its outputs (image by default), mask converters.

    The converters (MaskToImage, ImageToMask) come with a picture-to-picture task: such an edit often
    goes through a mask (a channel, a threshold, a colour key) and must turn it back into an image to
    save it; MaskToImage was the type the prompts missed most.
    """
    inputs = [Path(p) for p in state.get("inputs", [])]
    kinds = {SUFFIX_KINDS.get(path.suffix.lower(), "file") for path in inputs}
    wanted = expect(state["task"], inputs).output_kinds or {"image"}
    converters = [t for t in CONVERTERS.values() if t in catalog] if {"image"} <= kinds & wanted else []
    return [*loaders_for(sorted(kinds), catalog), *savers_for(sorted(wanted), catalog), *converters]


def output_budget(state: State, context: Context, deps: Deps, current: Flow | None = None) -> int:
    """Return how many output functions a constrained program may end with.

    The most any retrieved program (or the `current` flow being repaired) has, at least 1.
    """
    flows = [current] if current is not None else []
    for example in state.get("examples", []):
        try:
            flows.append(parse(example.text, context.syntax))
        except ALangError:  # a program rendered by anysym always parses; a user's may not
            continue
    return max([1, *(output_count(flow, deps.catalog) for flow in flows)])


def output_count(flow: Flow, catalog: Catalog) -> int:
    """How many of `flow`'s functions are output nodes."""
    specs = (catalog.get(function.type) for function in flow.functions.values())
    return sum(1 for spec in specs if spec is not None and spec.output_node)


def task_fields(state: State) -> dict[str, str]:
    """The `task`, `inputs` and `numbers` fields every prompt that states the task fills."""
    return {
        "task": state["task"],
        "inputs": bullets(describe_inputs(state.get("inputs", []))),
        "numbers": ", ".join(numbers_in(state["task"])) or "(none)",
    }


def components_prompt(state: State, context: Context, deps: Deps) -> tuple[str, list[str]]:
    """Return psi1's user prompt and the node types it shows."""
    types = shown_types(state, context, deps)
    instruction = prompts.COMPONENTS_INSTRUCTION.format(
        what=prompts.COMPONENTS_WHAT[context.syntax], fence=fence(context.syntax)
    )
    return f"{context_block(state, context, deps, types)}\n{instruction}", types


def context_block(state: State, context: Context, deps: Deps, types: Sequence[str]) -> str:
    """Fill CONTEXT_BLOCK: task, inputs, numbers, key functions, examples, catalog excerpt, models.

    With `context.node_docs` and a node search in `deps`, each catalog entry carries its one-line doc.
    """
    models = installed_models(deps.catalog, types)
    return prompts.CONTEXT_BLOCK.format(
        **task_fields(state),
        keys=_keys(state.get("key_functions", [])),
        examples=render_examples(state.get("examples", []), brief=context.brief_descriptions),
        catalog=bullets(signatures(types, context, deps, docs=context.node_docs)),
        models=bullets(models),
    )


def signatures(types: Iterable[str], context: Context, deps: Deps, *, docs: bool) -> list[str]:
    """The catalog signatures of `types` a prompt shows, in the context's form (`docs`: with each gist)."""
    gist = deps.nodes.gist if deps.nodes is not None and docs else None
    compact = context.compact_signatures
    return [
        signature(deps.catalog[t], gist(t) if gist else None, compact=compact)
        for t in types
        if t in deps.catalog
    ]


def bullets(lines: Iterable[str]) -> str:
    """`lines` as a Markdown list, or `(none)`."""
    return "\n".join(f"- {line}" for line in lines) or "(none)"


def _keys(keys: Sequence[str]) -> str:
    if not keys:
        return ""
    return f"\nKey functions the user requires (use each, with these parameter values):\n{bullets(keys)}\n"
