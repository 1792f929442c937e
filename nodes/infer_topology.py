"""infer_topology (psi2): the LLM links the functions chosen by psi1 (T), giving the whole program."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from anysym.errors import ALangError
from anysym.graph.context import Context
from anysym.graph.deps import Deps
from anysym.graph.routes import refining_components
from anysym.graph.state import Draft, State
from anysym.inference import prompts
from anysym.inference.ask import ask
from anysym.inference.catalog_excerpt import types_named_in
from anysym.inference.extract import extract_program
from anysym.inference.prompting import components_prompt, context_block, fence, fenced, shown_types
from anysym.language.flow import Flow
from anysym.language.syntax import parse

__all__ = ["infer_topology", "topology_prompt"]


def topology_prompt(
    state: State, context: Context, deps: Deps
) -> tuple[str, list[str], list[tuple[str, str]]]:
    """Return psi2's user prompt, the node types its catalog excerpt shows and the chat turns before it.

    With `Context.shared_prefix` the excerpt is psi1's own whenever it shows every function psi1 chose,
    so psi2's prompt repeats psi1's up to the step instruction and the LLM server reads only the new
    tail; otherwise (or when psi1 named a type it was not shown) psi1's functions come first. With
    `Context.continued_chat` as well, psi2 follows psi1's question and psi1's functions as the model's
    own answer, whose tokens the server still holds, so it reads only the short links question.
    """
    components, syntax = state["components"], context.syntax
    chosen = types_named_in(components, deps.catalog)
    types = shown_types(state, context, deps)
    if not context.shared_prefix or not set(chosen) <= set(types):
        types = shown_types(state, context, deps, first=chosen)
    elif context.continued_chat and not refining_components(state):
        question, _ = components_prompt(state, context, deps)
        follow_up = prompts.TOPOLOGY_FOLLOW_UP.format(what=prompts.TOPOLOGY_WHAT[syntax], fence=fence(syntax))
        # Under a grammar the model wrote the bare lines (its answer's tokens are the cached ones).
        grammar_bound = context.constrained and deps.grammar is not None
        answer = components if grammar_bound else fenced(components, syntax)
        return follow_up, types, [(question, answer)]
    instruction = prompts.TOPOLOGY_PROMPT.format(
        components=components, what=prompts.TOPOLOGY_WHAT[syntax], fence=fence(syntax)
    )
    return f"{context_block(state, context, deps, types)}\n{instruction}", types, []


def _components_flow(state: State, context: Context) -> Flow | None:
    """Parse psi1's answer for the links grammar (None: psi2 then decodes a full program)."""
    if not context.constrained:
        return None
    try:
        return parse(state["components"], context.syntax)
    except ALangError:
        return None


async def infer_topology(state: State, runtime: Runtime[Context], *, deps: Deps) -> dict[str, Any]:
    """Ask for the links; in declarative syntax the connect lines are appended to psi1's add_node lines."""
    context = runtime.context
    stage = "refine" if refining_components(state) else "psi2"
    user, types, history = topology_prompt(state, context, deps)
    answer, call = await ask(
        deps,
        context,
        stage=stage,
        user=user,
        types=types,
        part="links",
        flow=_components_flow(state, context),
        history=history,
    )
    extracted = extract_program(answer)
    text = extracted.text
    if extracted.error is None and context.syntax == "declarative" and "add_node" not in text:
        text = f"{state['components'].rstrip()}\n{text}"
    draft = Draft(
        stage=stage,
        text=text,
        extraction_error=extracted.error,
        repairs=tuple(state.get("components_repairs", [])),
    )
    return {"draft": draft, "llm_calls": [call]}
