"""The declarative syntax: `workflow.add_node(...)` and `workflow.connect(...)` calls.

```
workflow.add_node("loader", "CheckpointLoaderSimple", {"ckpt_name": "sd15.safetensors"})
workflow.add_node("positive", "CLIPTextEncode", {"text": "a fox"})
workflow.connect("loader", "CLIP", "positive", "clip")     # output by name
workflow.connect("loader", 1, "positive", "clip")          # or by 0-based index
```
Every id, node type and port is a quoted string, so any name works unchanged. Grammar:
`declarative.lark` (start rule `start`).
"""

from __future__ import annotations

from typing import Any

from lark import Token, v_args

from anysym.language.flow import Flow, ParamValue
from anysym.language.syntax.builder import FlowBuilder, Located
from anysym.language.syntax.grammar import LiteralTransformer, run
from anysym.language.syntax.literals import render_string, render_value

SYNTAX = "declarative"

Pair = tuple[Located, ParamValue]
AddNode = tuple[str, Located, Located, list[Pair]]
Connect = tuple[str, Located, str | int, Located, Located]


@v_args(inline=True)
class _Declarative(LiteralTransformer):
    def start(self, *statements: Any) -> list[Any]:
        return list(statements)

    def add_node(self, function_id: Located, node_type: Located, params: list[Pair] | None = None) -> AddNode:
        return "add_node", function_id, node_type, params or []

    def connect(self, source: Located, output: Located | Token, target: Located, name: Located) -> Connect:
        index = output.value if isinstance(output, Located) else self.output_index(output)
        return "connect", source, index, target, name

    def params(self, *pairs: Pair) -> list[Pair]:
        return list(pairs)

    def pair(self, name: Located, value: ParamValue) -> Pair:
        return name, value

    def key(self, token: Token) -> Located:
        return Located(self.string(token), token.line or 1, token.column or 1)


def parse(text: str) -> Flow:
    """Parse declarative text into a Flow (raises `ALangSyntaxError` / `ALangSemanticError`)."""
    statements = run(SYNTAX, text, _Declarative)
    builder = FlowBuilder()
    for statement in statements:
        if statement[0] == "add_node":
            _kind, function_id, node_type, pairs = statement
            if builder.add_function(function_id, node_type):
                for name, value in pairs:
                    builder.add_param(function_id, name, value)
    for statement in statements:
        if statement[0] == "connect":
            _kind, source, output, target, name = statement
            builder.add_link(source, output, target, name)
    return builder.build()


def render(flow: Flow) -> str:
    """Write a Flow as declarative calls: every add_node in the author's order, then every connect."""
    lines = []
    for function_id, function in flow.functions.items():
        params = ", ".join(f"{render_string(k)}: {render_value(v)}" for k, v in function.params.items())
        lines.append(
            f"workflow.add_node({render_string(function_id)}, {render_string(function.type)}, {{{params}}})\n"
        )
    for function_id in flow.functions:
        for link in flow.links_into(function_id):
            output = str(link.output) if isinstance(link.output, int) else render_string(link.output)
            lines.append(
                f"workflow.connect({render_string(link.source)}, {output}, "
                f"{render_string(link.target)}, {render_string(link.input)})\n"
            )
    return "".join(lines)
