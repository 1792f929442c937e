"""The dataflow syntax: one `id = NodeType(param=value, input=source.OUTPUT)` statement per function.

```
loader = CheckpointLoaderSimple(ckpt_name="sd15.safetensors")
positive = CLIPTextEncode(text="a fox", clip=loader.CLIP)
interp = `RIFE VFI`(multiplier=2, frames=video[0])
```
A bare reference (`clip=loader`) means output 0; `loader.CLIP` and `loader["3D Mesh"]` name an output,
`loader[1]` indexes it. References may point forward. Grammar: `dataflow.lark` (start rule `start`).
"""

from __future__ import annotations

from typing import Any

from lark import Token, v_args

from anysym.language.flow import Flow, Link, OutputRef, ParamValue
from anysym.language.syntax.builder import FlowBuilder, Located
from anysym.language.syntax.grammar import LiteralTransformer, run
from anysym.language.syntax.literals import (
    IDENTIFIER,
    LITERAL_WORDS,
    render_name,
    render_string,
    render_value,
)

SYNTAX = "dataflow"

Reference = tuple[Located, OutputRef]
Argument = tuple[str, Located, Any]
Statement = tuple[Located, Located, list[Argument]]


@v_args(inline=True)
class _Dataflow(LiteralTransformer):
    def start(self, *statements: Statement) -> list[Statement]:
        return list(statements)

    def statement(self, function_id: Located, node_type: Located, *args: Argument) -> Statement:
        return function_id, node_type, list(args)

    def param(self, name: Located, value: ParamValue) -> Argument:
        return "param", name, value

    def link(self, name: Located, reference: Reference) -> Argument:
        return "link", name, reference

    def ref_default(self, source: Located) -> Reference:
        return source, 0

    def ref_name(self, source: Located, output: Located | str) -> Reference:
        return source, output.value if isinstance(output, Located) else output

    def ref_index(self, source: Located, index: Token) -> Reference:
        return source, self.output_index(index)


def parse(text: str) -> Flow:
    """Parse dataflow text into a Flow (raises `ALangSyntaxError` / `ALangSemanticError`)."""
    statements: list[Statement] = run(SYNTAX, text, _Dataflow)
    builder = FlowBuilder()
    accepted = [s for s in statements if builder.add_function(s[0], s[1])]
    for function_id, _node_type, args in accepted:
        for kind, name, payload in args:
            if kind == "param":
                builder.add_param(function_id, name, payload)
            else:
                source, output = payload
                builder.add_link(source, output, function_id, name)
    return builder.build()


def render(flow: Flow) -> str:
    """Write a Flow as dataflow text, one statement per function in the author's order."""
    lines = []
    for function_id, function in flow.functions.items():
        args = [f"{render_name(name)}={render_value(value)}" for name, value in function.params.items()]
        args += [f"{render_name(link.input)}={_reference(link)}" for link in flow.links_into(function_id)]
        lines.append(f"{render_name(function_id)} = {render_name(function.type)}({', '.join(args)})\n")
    return "".join(lines)


def _reference(link: Link) -> str:
    source = render_name(link.source)
    if link.output == 0:
        return source
    if isinstance(link.output, int):
        return f"{source}[{link.output}]"
    if IDENTIFIER.fullmatch(link.output) and link.output not in LITERAL_WORDS:
        return f"{source}.{link.output}"
    return f"{source}[{render_string(link.output)}]"
