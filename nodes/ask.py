"""One LLM call from a node: system + user messages, optional grammar, usage and transcript recorded."""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.messages import HumanMessage, SystemMessage

from anysym.graph.artifacts import RunDir
from anysym.graph.context import Context
from anysym.graph.deps import Deps, GrammarPart
from anysym.graph.result import LLMCall
from anysym.language.flow import Flow
from anysym.nodes.prompting import system_prompt

__all__ = ["ask"]


async def ask(
    deps: Deps,
    context: Context,
    *,
    stage: str,
    user: str,
    types: Sequence[str],
    part: GrammarPart = "full",
    flow: Flow | None = None,
) -> tuple[str, LLMCall]:
    """Send one prompt; return the answer text and its usage (`LLMError` propagates).

    With `Context.constrained` and a grammar builder, decoding is constrained to `part` programs over the
    node types the prompt shows (`flow`: the psi1 functions that psi2 must link).
    """
    system = system_prompt(context.syntax)
    grammar = None
    if context.constrained and deps.grammar is not None:
        grammar = deps.grammar(deps.catalog.subset(list(types)), context.syntax, part=part, flow=flow)
    completion = await deps.llm.complete(
        [SystemMessage(content=system), HumanMessage(content=user)], stage=stage, grammar=grammar
    )
    call = LLMCall(
        stage=stage,
        model=completion.model or context.model,
        input_tokens=completion.input_tokens,
        output_tokens=completion.output_tokens,
        seconds=completion.seconds,
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
