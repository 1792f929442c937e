"""The parameter step: the LLM fills the chosen functions' parameters from the task alone.

psi1 sees the reference programs and copies their literal values (a blend mode, a crop position, a
size). With `Context.parameter_step`, psi1's functions are reset to their inputs' defaults and a short
second prompt without the reference programs asks for the values the task states. It shows the task,
its input files and numbers, and for each chosen node type its signature, what it does and what each
of its literal inputs means (the official node documentation, when installed). An answer that changes
an id or a node type is not used: psi1's values then stay.
"""

from __future__ import annotations

from anysym.errors import ALangError
from anysym.graph.context import Context
from anysym.graph.deps import Deps
from anysym.graph.result import LLMCall
from anysym.graph.state import State
from anysym.inference import prompts
from anysym.inference.ask import Bounds, ask
from anysym.inference.extract import Extracted, extract_program
from anysym.inference.prompting import bullets, fence, output_count, signatures, task_fields
from anysym.language.flow import Flow
from anysym.language.syntax import parse, render
from anysym.nodes.retrieve import hide_values

__all__ = ["fill_parameters", "parameters_prompt"]

_DOC_CHARS = 120
"""How much of one input's documentation a prompt shows."""


def parameters_prompt(flow: Flow, state: State, context: Context, deps: Deps) -> str:
    """The parameter step's prompt for `flow` (its values already reset to the defaults)."""
    types = list(dict.fromkeys(function.type for function in flow.functions.values()))
    return prompts.PARAMETERS_PROMPT.format(
        **task_fields(state),
        functions=render(flow, context.syntax).rstrip(),
        catalog=bullets(signatures(types, context, deps, docs=True)),
        input_docs=_input_docs(types, deps),
        what=prompts.COMPONENTS_WHAT[context.syntax],
        fence=fence(context.syntax),
    )


def _input_docs(types: list[str], deps: Deps) -> str:
    """What the literal inputs of each type mean, as indented lines (empty without documentation)."""
    if deps.nodes is None:
        return ""
    lines: list[str] = []
    for name in types:
        spec = deps.catalog.get(name)
        if spec is None:
            continue
        sockets = {i.name for i in spec.socket_inputs()}
        docs = deps.nodes.input_docs(name)
        literal = [(port, docs[port]) for port in spec.inputs if port in docs and port not in sockets]
        if literal:
            lines.append(f"{name} inputs:")
            lines.extend(f"  - {port}: {_short(text)}" for port, text in literal)
    return "\n" + "\n".join(lines) + "\n" if lines else ""


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _DOC_CHARS else text[: _DOC_CHARS - 3].rstrip() + "..."


async def fill_parameters(
    text: str, state: State, context: Context, deps: Deps
) -> tuple[str, list[str], LLMCall | None]:
    """Ask for the parameter values of the functions in `text`; return the text, notes and the call.

    `text` comes back unchanged (with a note) when it does not parse, or when the answer has no
    program or changes the functions.
    """
    try:
        flow = parse(text, context.syntax)
    except ALangError:  # compile reports it after psi2
        return text, [], None
    blank = hide_values(flow, deps.catalog)
    answer, call = await ask(
        deps,
        context,
        stage="params",
        user=parameters_prompt(blank, state, context, deps),
        types=list(dict.fromkeys(f.type for f in flow.functions.values())),
        part="components",
        max_outputs=max(1, output_count(flow, deps.catalog)),
        bounds=Bounds(functions=len(flow.functions), links=0),
    )
    filled = _same_functions(extract_program(answer), flow, context)
    if filled is None:
        return text, ["parameter step: the answer changed the functions; kept psi1's values"], call
    for function_id, function in filled.functions.items():  # a value left out keeps its default
        blank = blank.with_params(function_id, {**blank.functions[function_id].params, **function.params})
    return render(blank, context.syntax), ["parameter step: set the values from the task"], call


def _same_functions(extracted: Extracted, flow: Flow, context: Context) -> Flow | None:
    if extracted.error is not None:
        return None
    try:
        filled = parse(extracted.text, context.syntax)
    except ALangError:
        return None
    same = {fid: f.type for fid, f in filled.functions.items()} == {
        fid: f.type for fid, f in flow.functions.items()
    }
    return filled if same else None
