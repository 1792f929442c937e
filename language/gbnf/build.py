"""`build_grammar(catalog, syntax, part=..., flow=...)`: a GBNF grammar of the programs a prompt allows.

The catalog is the SUBSET of node types the prompt shows (restricting the grammar to them keeps decoding
fast and the model on the listed names). Per node type the grammar admits only that type's parameter
names (in catalog order, each at most once), COMBO choices as enumerations, and link inputs of the type.
`part` matches the engine's stages:

- `"full"`: a complete program (functions and links; one-step inference and refinement);
- `"components"`: functions with literal parameters only (psi1);
- `"links"`: psi2, given the psi1 `flow`: declarative writes only `workflow.connect` lines, the other
  syntaxes rewrite every function of `flow` in order. Links are typed: a source output may feed an input
  only when their socket types are compatible, and every required input that has a compatible source
  must be linked (so the program ends only when the graph is complete).

Lines are separated by one newline; no newline is forced after the last line (a forced one keeps small
models from stopping). See docs/constrained-decoding.md for what a context-free grammar cannot enforce.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from anysym.language.catalog import Catalog, InputSpec, NodeSpec, OutputSpec
from anysym.language.flow import Flow
from anysym.language.gbnf.rules import RuleSet, alternatives, identifier_excluding, literal
from anysym.language.gbnf.values import any_value, value_rule
from anysym.language.syntax import SYNTAXES
from anysym.language.syntax.literals import IDENTIFIER, LITERAL_WORDS, render_name, render_string
from anysym.language.syntax.pseudo_natural import KEYWORDS
from anysym.language.types import types_compatible

__all__ = ["PARTS", "Part", "build_grammar"]

Part = Literal["full", "components", "links"]
PARTS: tuple[Part, ...] = ("full", "components", "links")
MAX_INDEX_DIGIT = "[0-9]"
MAX_FUNCTIONS = 40
"""The most working functions a constrained program may have (bounds a small model's copying loops)."""
_RESERVED_IDS = {
    "declarative": (),
    "dataflow": tuple(sorted(w for w in LITERAL_WORDS if w.islower())),
    "pseudo": tuple(sorted({w for w in LITERAL_WORDS if w.islower()} | KEYWORDS)),
}
"""Lower-case words a bare id may not be (they lex as constants or sentence keywords)."""


@dataclass(frozen=True)
class _Item:
    """One argument slot of a statement: its GBNF text and whether it must appear."""

    text: str
    required: bool = False


def build_grammar(
    catalog: Catalog,
    syntax: str,
    *,
    part: Part = "full",
    flow: Flow | None = None,
    max_outputs: int = 1,
    max_functions: int = MAX_FUNCTIONS,
    max_links: int | None = None,
) -> str:
    """Return the GBNF grammar of `part` programs in `syntax` over the node types of `catalog`.

    Programs end with 1..`max_outputs` output functions (SaveImage, PreviewImage, ...), have at most
    `max_functions` functions and, in declarative full programs, at most `max_links` connect lines
    (refine bounds both by the flow it repairs: a small model otherwise repeats lines to the token limit).
    """
    if syntax not in SYNTAXES:
        raise ValueError(f"unknown syntax {syntax!r}; choose one of {', '.join(SYNTAXES)}")
    if part not in PARTS:
        raise ValueError(f"unknown part {part!r}; choose one of {', '.join(PARTS)}")
    if part == "links" and flow is None:
        raise ValueError("part='links' needs the flow of the components stage")
    if not len(catalog) and part != "links":
        raise ValueError("the catalog subset is empty: no program can be written")
    if max_outputs < 1:
        raise ValueError(f"max_outputs must be >= 1, got {max_outputs}")
    builder = _Builder(catalog, syntax, max_outputs, max(max_functions, max_outputs), max_links)
    return builder.rules.render(builder.root(part, flow))


class _Builder:
    def __init__(
        self, catalog: Catalog, syntax: str, max_outputs: int, max_functions: int, max_links: int | None
    ) -> None:
        self.catalog = catalog
        self.max_functions = max_functions
        self.max_links = max_links
        self.max_outputs = max_outputs
        self.syntax = syntax
        self.rules = RuleSet()
        first, rest = ("[a-z0-9_]" if syntax == "declarative" else "[a-z_]"), "[a-z0-9_]"
        self.ident = identifier_excluding(self.rules, _RESERVED_IDS[syntax], first=first, rest=rest)
        if syntax == "declarative":
            self.id_expr = f'"\\"" {self.ident} "\\""'
        else:  # a backticked name is always a name, even `a`, `true` or an API id such as `4`
            quoted = self.rules.add("quoted-id", f'"`" {rest}+ "`"')
            self.ident = self.id_expr = self.rules.add("id", f"{self.ident} | {quoted}")

    # ---- names as each syntax writes them -------------------------------------------------------------
    def name(self, name: str) -> str:
        if self.syntax == "declarative":
            return render_string(name)
        return render_name(name, KEYWORDS if self.syntax == "pseudo" else ())

    def param(self, spec: InputSpec, node: NodeSpec) -> str:
        value = value_rule(self.rules, spec, f"{node.name}-{spec.name}")
        separator = {"declarative": ": ", "dataflow": "=", "pseudo": " "}[self.syntax]
        return f"{literal(self.name(spec.name) + separator)} {value}"

    def link(self, input_name: str, reference: str) -> str:
        separator = "=" if self.syntax == "dataflow" else " from "
        return f"{literal(self.name(input_name) + separator)} {reference}"

    def output_forms(self, source: str, out: OutputSpec) -> list[str]:
        """References to `out` of `source` (a GBNF expression for the source id), dataflow or pseudo."""
        forms = [f"{source} {suffix}" for suffix in self.output_suffixes(out)]
        return [*forms, source] if out.index == 0 else forms

    def output_suffixes(self, out: OutputSpec) -> list[str]:
        if self.syntax == "dataflow":
            if IDENTIFIER.fullmatch(out.name) and out.name not in LITERAL_WORDS:
                return [literal("." + out.name), literal(f"[{out.index}]")]
            return [literal("[" + render_string(out.name) + "]"), literal(f"[{out.index}]")]
        return [literal("'s " + self.name(out.name)), literal(f"'s output {out.index}")]

    # ---- statements -----------------------------------------------------------------------------------
    def root(self, part: Part, flow: Flow | None) -> str:
        if part == "links" and flow is not None:
            return self.typed_links(flow)
        with_links = part == "full"
        if self.syntax == "declarative":
            lines = self.lines(lambda n: self.add_node(self.id_expr, n), "add")
            if not with_links:
                return f'{lines} "\\n"?'
            connect = self.rules.add("connect", self.any_connect())
            repeat = "*" if self.max_links is None else f"{{0,{self.max_links}}}"
            return f'{lines} ("\\n" {connect}){repeat} "\\n"?'
        reference = self.rules.add("ref", self.any_reference()) if with_links else ""
        return f'{self.lines(lambda n: self.function(self.id_expr, n, reference), "fn")} "\\n"?'

    def lines(self, statement: Callable[[NodeSpec], str], prefix: str) -> str:
        """The function lines: working functions first, then 1..max_outputs output functions.

        Ending with the outputs (the order every reference program uses) gives small models a point where
        the program is complete; without it they keep copying example lines until the token limit.
        """

        def line(name: str, nodes: Sequence[NodeSpec]) -> str:
            options = (self.rules.add(f"{prefix}-{n.name}", statement(n)) for n in nodes)
            return self.rules.add(f"{prefix}-{name}", alternatives(options))

        nodes = self.catalog.nodes()
        work = [n for n in nodes if not n.output_node]
        sinks = [n for n in nodes if n.output_node]
        if not sinks or not work:  # nothing to order by: any function on any line
            any_line = line("line", nodes)
            return f'{any_line} ("\\n" {any_line}){{0,{self.max_functions - 1}}}'
        work_line, sink_line = line("work", work), line("out", sinks)
        sinks_rule = f'{sink_line} ("\\n" {sink_line}){{0,{self.max_outputs - 1}}}'
        return f'({work_line} "\\n"){{0,{self.max_functions - 1}}} {sinks_rule}'

    def add_node(self, id_expr: str, node: NodeSpec) -> str:
        params = [_Item(self.param(s, node)) for s in node.widget_inputs()]
        args, _ = self.sequence(params, node.name, ", ")
        head = f"{literal('workflow.add_node(')} {id_expr} {literal(', ' + self.name(node.name) + ', {')}"
        return _join(head, args, literal("})"))

    def function(self, id_expr: str, node: NodeSpec, reference: str) -> str:
        items = [_Item(self.param(s, node)) for s in node.widget_inputs()]
        if reference:
            items += [_Item(self.link(s.name, reference)) for s in _link_inputs(node)]
        return self.statement(id_expr, node.name, *self.sequence(items, node.name, ", "))

    def statement(self, id_expr: str, node_type: str, args: str, optional: bool) -> str:
        """A dataflow call or a pseudo sentence; `args` may be empty or (when `optional`) omitted."""
        rendered = self.name(node_type)
        if self.syntax == "dataflow":
            call = f"({args})?" if args and optional else args
            return _join(id_expr, literal(" = " + rendered + "("), call, literal(")"))
        article = "an" if rendered[0] in "AEIOUaeiou" else "a"
        head = _join(id_expr, literal(f" is {article} {rendered}"))
        if not args:
            return _join(head, literal("."))
        items = _join(literal(" with "), args)
        return _join(head, f"({items})?" if optional else items, literal("."))

    def sequence(self, items: Sequence[_Item], hint: str, separator: str) -> tuple[str, bool]:
        """Items in order, optional ones omittable, joined by `separator`: (expression, all optional).

        Tail rule t(j) = the items from j on, each preceded by the separator; the whole is an alternation
        over the first item written (only optional items may be skipped before it). "" for no items.
        """
        if not items:
            return "", True
        sep = literal(separator)
        tails: list[str] = [""] * (len(items) + 1)
        for j in range(len(items) - 1, -1, -1):
            piece = f"{sep} {items[j].text}" if items[j].required else f"({sep} {items[j].text})?"
            tails[j] = self.rules.add(f"{hint}-t{j}", _join(piece, tails[j + 1]))
        starts = []
        for j, item in enumerate(items):
            starts.append(_join(item.text, tails[j + 1]))
            if item.required:
                break
        body = self.rules.add(f"{hint}-args", alternatives(starts))
        return body, not any(i.required for i in items)

    def any_reference(self) -> str:
        outs = {o.name: o for n in self.catalog.nodes() for o in n.outputs}
        suffixes = [self.output_suffixes(o)[0] for o in outs.values()]
        if self.syntax == "dataflow":
            suffixes.append(f"{literal('[')} {MAX_INDEX_DIGIT} {literal(']')}")
        else:
            suffixes.append(f"{literal(chr(39) + 's output ')} {MAX_INDEX_DIGIT}")
        return f"{self.ident} {alternatives(suffixes)}?"

    def any_connect(self) -> str:
        nodes = self.catalog.nodes()
        outputs = [literal(render_string(o.name)) for n in nodes for o in n.outputs] + [MAX_INDEX_DIGIT]
        inputs = [literal(render_string(s.name)) for n in nodes for s in _link_inputs(n)]
        if not inputs:
            raise ValueError("no node type of the catalog subset has a link input: nothing to connect")
        out_rule = self.rules.add("out-port", alternatives(outputs))
        in_rule = self.rules.add("in-port", alternatives(inputs))
        sep = literal(", ")
        head = literal("workflow.connect(")
        return f"{head} {self.id_expr} {sep} {out_rule} {sep} {self.id_expr} {sep} {in_rule} {literal(')')}"

    # ---- psi2 with a known set of functions ----------------------------------------------------------
    def typed_links(self, flow: Flow) -> str:
        slots: dict[str, list[_Item]] = {}
        for target_id, function in flow.functions.items():
            node = self.catalog.get(function.type)
            for spec in _link_inputs(node) if node else []:
                sources = self.sources(flow, target_id, spec)
                if sources:
                    rule = self.link_slot(target_id, spec, sources)
                    slots.setdefault(target_id, []).append(_Item(rule, spec.section == "required"))
        newline = '"\\n"'
        if self.syntax == "declarative":
            # Every input at most once, in a fixed order: a repeated `connect` line (a small model's loop
            # to the token limit, or a second link into one input) cannot be written.
            every = [item for items in slots.values() for item in items]
            lines = [
                f"{newline} {item.text}" if item.required else f"({newline} {item.text})?" for item in every
            ]
            body = " ".join(lines)
            return f"{body} {newline}?".removeprefix(f"{newline} ") if lines else f"{newline}?"
        lines = [self.typed_function(fid, fn.type, slots.get(fid, [])) for fid, fn in flow.functions.items()]
        if not lines:
            return f"{newline}?"
        return " ".join(f"{line} {newline}" for line in lines[:-1]) + f" {lines[-1]} {newline}?"

    def sources(self, flow: Flow, target_id: str, spec: InputSpec) -> list[tuple[str, OutputSpec]]:
        found = []
        for source_id, function in flow.functions.items():
            node = self.catalog.get(function.type)
            if source_id == target_id or node is None:
                continue
            found += [(source_id, o) for o in node.outputs if types_compatible(o.type, spec.type)]
        return found

    def link_slot(self, target_id: str, spec: InputSpec, sources: list[tuple[str, OutputSpec]]) -> str:
        if self.syntax == "declarative":
            refs = [literal(render_string(s) + ", " + render_string(o.name)) for s, o in sources]
            refs += [literal(render_string(s) + f", {o.index}") for s, o in sources]
            tail = literal(", " + render_string(target_id) + ", " + render_string(spec.name) + ")")
            body = _join(literal("workflow.connect("), alternatives(refs), tail)
        else:
            forms = [f for s, o in sources for f in self.output_forms(literal(self.name(s)), o)]
            body = self.link(spec.name, alternatives(forms))
        return self.rules.add(f"link-{target_id}-{spec.name}", body)

    def typed_function(self, function_id: str, node_type: str, links: list[_Item]) -> str:
        node = self.catalog.get(node_type)
        id_text = literal(self.name(function_id))
        if node is None:
            equals = literal("=" if self.syntax == "dataflow" else " ")
            generic = _Item(_join(self.ident, equals, any_value(self.rules)))
            return self.statement(id_text, node_type, *self.sequence([generic], "free", ", "))
        items = [_Item(self.param(s, node)) for s in node.widget_inputs()] + links
        return self.statement(id_text, node_type, *self.sequence(items, f"{function_id}-{node_type}", ", "))


def _join(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def _link_inputs(node: NodeSpec) -> list[InputSpec]:
    """Inputs fed by links (sockets): visible inputs that take no literal, by name (the renderers' order)."""
    return sorted(node.socket_inputs(), key=lambda s: s.name)
