"""The pseudo-natural syntax: one English-like sentence per function.

```
loader is a CheckpointLoaderSimple with ckpt_name "sd15.safetensors".
positive is a CLIPTextEncode with text "a fox", clip from loader's CLIP.
sampler is a KSampler with seed 42, cfg 7.5, model from loader's MODEL, positive from positive.
interp is a `RIFE VFI` with multiplier 2, frames from video's output 0.
```
`name value` sets a parameter; `name from source` links output 0 of `source`, `source's NAME` a named
output and `source's output N` an output index. Strings are always quoted, so words such as ` is ` inside
them are safe. Grammar: `pseudo.lark` (start rule `start`).
"""

from __future__ import annotations

from typing import Any

from lark import Token, v_args

from anysym.language.flow import Flow, Link, OutputRef, ParamValue
from anysym.language.syntax.builder import FlowBuilder, Located
from anysym.language.syntax.grammar import LiteralTransformer, run
from anysym.language.syntax.literals import render_name, render_value

SYNTAX = "pseudo"
KEYWORDS = frozenset({"is", "a", "an", "with", "from", "output"})
"""Words of the sentence frame; names spelled like them are backtick-quoted when rendered."""

Reference = tuple[Located, OutputRef]
Item = tuple[str, Located, Any]
Sentence = tuple[Located, Located, list[Item]]


@v_args(inline=True)
class _Pseudo(LiteralTransformer):
    def start(self, *sentences: Sentence) -> list[Sentence]:
        return list(sentences)

    def sentence(self, function_id: Located, node_type: Located, *items: Item) -> Sentence:
        return function_id, node_type, list(items)

    def param(self, name: Located, value: ParamValue) -> Item:
        return "param", name, value

    def link(self, name: Located, reference: Reference) -> Item:
        return "link", name, reference

    def ref_default(self, source: Located) -> Reference:
        return source, 0

    def ref_name(self, source: Located, output: Located) -> Reference:
        return source, output.value

    def ref_index(self, source: Located, index: Token) -> Reference:
        return source, self.output_index(index)

    def owner(self, token: Token) -> Located:
        kind = "QNAME" if token.type == "QOWNER" else "NAME"
        return self.name(Token(kind, str(token)[:-2], line=token.line, column=token.column))


def parse(text: str) -> Flow:
    """Parse pseudo-natural text into a Flow (raises `ALangSyntaxError` / `ALangSemanticError`)."""
    sentences: list[Sentence] = run(SYNTAX, text, _Pseudo)
    builder = FlowBuilder()
    accepted = [s for s in sentences if builder.add_function(s[0], s[1])]
    for function_id, _node_type, items in accepted:
        for kind, name, payload in items:
            if kind == "param":
                builder.add_param(function_id, name, payload)
            else:
                source, output = payload
                builder.add_link(source, output, function_id, name)
    return builder.build()


def render(flow: Flow) -> str:
    """Write a Flow as sentences, one per function in the author's order."""
    lines = []
    for function_id, function in flow.functions.items():
        items = [f"{_name(name)} {render_value(value)}" for name, value in function.params.items()]
        items += [f"{_name(link.input)} from {_reference(link)}" for link in flow.links_into(function_id)]
        node_type = _name(function.type)
        article = "an" if node_type[0] in "AEIOUaeiou" else "a"
        sentence = f"{_name(function_id)} is {article} {node_type}"
        lines.append(f"{sentence} with {', '.join(items)}.\n" if items else f"{sentence}.\n")
    return "".join(lines)


def _name(name: str) -> str:
    return render_name(name, KEYWORDS)


def _reference(link: Link) -> str:
    source = _name(link.source)
    if link.output == 0:
        return source
    if isinstance(link.output, int):
        return f"{source}'s output {link.output}"
    return f"{source}'s {_name(link.output)}"
