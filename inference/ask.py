"""One LLM call from a node: system + user messages, optional grammar, usage and transcript recorded."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import NamedTuple

import structlog
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from anysym.graph.artifacts import RunDir
from anysym.graph.context import Context
from anysym.graph.deps import Deps, GrammarPart
from anysym.graph.result import LLMCall
from anysym.graph.state import State
from anysym.inference.prompting import system_prompt
from anysym.language.catalog import Catalog, NodeSpec
from anysym.language.flow import Flow
from anysym.language.gbnf.build import MAX_FUNCTIONS

__all__ = ["Bounds", "answer_bounds", "ask"]

_log = structlog.get_logger("anysym.nodes")


class Bounds(NamedTuple):
    """Upper bounds of a constrained program's size."""

    functions: int
    links: int


_SPARE_FUNCTIONS = 2
_SPARE_SOCKETS = 3
_FIRST_SPARE = 2
"""Functions a first answer may have beyond the largest example, one per input file and one per step."""


def answer_bounds(state: State, current: Flow | None, catalog: Catalog) -> Bounds:
    """How large an answer may be: a repair a little larger than the flow it repairs, else a first answer.

    A repair may add a couple of functions and link at most every socket of its functions once. A
    first answer (psi1, or a repair of a flow that never parsed) may have as many functions as the
    largest retrieved example, plus one per input file and per step of the task, plus two. Without
    bounds the 0.5B repeated lines to the 1,024-token limit: every refine answer of a 50-task run,
    and with one candidate a psi1 answer of 36 `ImageBlend` lines whose truncation no psi2 or refine
    round could repair (each of those then ran to the limit too).
    """
    if current is None:
        examples = [len(example.node_types) for example in state.get("examples", [])]
        steps = max(0, len(state.get("step_types", [])) - 1)
        functions = max([3, *examples]) + len(state.get("inputs", [])) + steps + _FIRST_SPARE
        functions = min(functions, MAX_FUNCTIONS)
        return Bounds(functions=functions, links=functions * _SPARE_SOCKETS)
    functions = len(current.functions) + _SPARE_FUNCTIONS
    sockets = sum(_sockets(catalog.get(f.type)) for f in current.functions.values())
    return Bounds(functions=functions, links=sockets + _SPARE_FUNCTIONS * _SPARE_SOCKETS)


def _sockets(spec: NodeSpec | None) -> int:
    return len(spec.socket_inputs()) if spec is not None else _SPARE_SOCKETS


def _grammar(
    deps: Deps,
    context: Context,
    types: Sequence[str],
    part: GrammarPart,
    flow: Flow | None,
    max_outputs: int,
    bounds: Bounds | None,
) -> str | None:
    """Build the stage's grammar; fall back to the full-program grammar when psi1's flow cannot be linked."""
    if deps.grammar is None:
        return None
    subset = deps.catalog.subset(list(types))
    if part == "links" and flow is not None:
        try:
            return deps.grammar(subset, context.syntax, part="links", flow=flow)
        except ValueError as exc:  # e.g. psi1 used a type outside the excerpt
            _log.info("links_grammar_unavailable", reason=str(exc))
    try:
        full = "full" if part == "links" else part
        if bounds is None:
            return deps.grammar(subset, context.syntax, part=full, max_outputs=max_outputs)
        return deps.grammar(
            subset,
            context.syntax,
            part=full,
            max_outputs=max_outputs,
            max_functions=bounds.functions,
            max_links=bounds.links,
        )
    except ValueError as exc:
        _log.info("grammar_unavailable", reason=str(exc))
        return None


async def ask(
    deps: Deps,
    context: Context,
    *,
    stage: str,
    user: str,
    types: Sequence[str],
    part: GrammarPart = "full",
    flow: Flow | None = None,
    max_outputs: int = 1,
    bounds: Bounds | None = None,
    sample: int = 0,
    history: Sequence[tuple[str, str]] = (),
) -> tuple[str, LLMCall]:
    """Send one prompt; return the answer text and its usage (`LLMError` propagates).

    `history`: earlier (question, answer) turns of the same chat, sent before `user`.

    With `Context.constrained` and a grammar builder, decoding is constrained to `part` programs over the
    node types the prompt shows (`flow`: the psi1 functions that psi2 must link), ending with at most
    `max_outputs` output functions (and, with `bounds`, at most that many functions and links).
    `sample > 0` asks for an alternative answer to the same prompt (see `ChatLLM.complete`).
    """
    system = system_prompt(context.syntax, neutral_example=context.neutral_example)
    grammar = _grammar(deps, context, types, part, flow, max_outputs, bounds) if context.constrained else None
    turns = [
        message
        for asked, answered in history
        for message in (HumanMessage(content=asked), AIMessage(content=answered))
    ]
    completion = await deps.llm.complete(
        [SystemMessage(content=system), *turns, HumanMessage(content=user)],
        stage=stage,
        grammar=grammar,
        sample=sample,
    )
    call = LLMCall(
        stage=stage,
        model=completion.model or context.model,
        input_tokens=completion.input_tokens,
        output_tokens=completion.output_tokens,
        seconds=completion.seconds,
        shown_types=tuple(types),
        sample=sample,
    )
    if context.run_dir is not None:
        await asyncio.to_thread(  # file writes off the event loop that other runs share
            RunDir(context.run_dir).append_transcript,
            {
                **call.model_dump(),
                "system": system,
                **({"history": [list(turn) for turn in history]} if history else {}),
                "user": user,
                "answer": completion.text,
                "grammar": bool(grammar),
            },
        )
    return completion.text, call
