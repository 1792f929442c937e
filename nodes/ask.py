"""One LLM call from a node: system + user messages, optional grammar, usage and transcript recorded."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import structlog
from langchain_core.messages import HumanMessage, SystemMessage

from anysym.graph.artifacts import RunDir
from anysym.graph.context import Context
from anysym.graph.deps import Deps, GrammarPart
from anysym.graph.result import LLMCall
from anysym.language.flow import Flow
from anysym.nodes.prompting import system_prompt

__all__ = ["ask"]

_log = structlog.get_logger("anysym.nodes")


class Bounds(NamedTuple):
    """Upper bounds of a constrained program's size."""

    functions: int
    links: int


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
) -> tuple[str, LLMCall]:
    """Send one prompt; return the answer text and its usage (`LLMError` propagates).

    With `Context.constrained` and a grammar builder, decoding is constrained to `part` programs over the
    node types the prompt shows (`flow`: the psi1 functions that psi2 must link), ending with at most
    `max_outputs` output functions (and, with `bounds`, at most that many functions and links).
    `sample > 0` asks for an alternative answer to the same prompt (see `ChatLLM.complete`).
    """
    system = system_prompt(context.syntax, neutral_example=context.neutral_example)
    grammar = _grammar(deps, context, types, part, flow, max_outputs, bounds) if context.constrained else None
    completion = await deps.llm.complete(
        [SystemMessage(content=system), HumanMessage(content=user)],
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
        RunDir(context.run_dir).append_transcript(
            {
                **call.model_dump(),
                "system": system,
                "user": user,
                "answer": completion.text,
                "grammar": bool(grammar),
            }
        )
    return completion.text, call
