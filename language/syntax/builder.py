"""Assembling parsed statements into a `Flow`, with the semantic checks every syntax shares."""

from __future__ import annotations

from dataclasses import dataclass, field

from anysym.errors import ALangSemanticError
from anysym.language.diagnostics import Diagnostic, DiagnosticKind
from anysym.language.flow import Flow, Function, Link, OutputRef, ParamValue
from anysym.language.syntax.literals import plain


@dataclass(frozen=True)
class Located:
    """A name (id, node type, port) with the 1-based source position where it was written."""

    value: str
    line: int
    column: int


@dataclass
class _Pending:
    type: str
    params: dict[str, ParamValue] = field(default_factory=dict)


@dataclass
class FlowBuilder:
    """Collect functions, parameters and links in source order; `build` checks them and makes the Flow.

    Allowed (the IR holds them; `validate` reports them): forward references, cycles, self links, several
    links into one input, a value and a link on one input. Rejected with `ALangSemanticError`: a function
    id defined twice, a literal parameter given twice, a link naming an unknown function.
    """

    _functions: dict[str, _Pending] = field(default_factory=dict)
    _links: list[tuple[Link, Located, Located]] = field(default_factory=list)
    _problems: list[Diagnostic] = field(default_factory=list)

    def add_function(self, function_id: Located, node_type: Located) -> bool:
        """Declare a function; a second declaration of the same id is a problem (returns False)."""
        if function_id.value in self._functions:
            self._problem(
                DiagnosticKind.DUPLICATE_FUNCTION,
                function_id,
                f"function id {function_id.value!r} is defined twice",
                "give every function a unique id",
            )
            return False
        if not node_type.value:
            self._problem(
                DiagnosticKind.UNKNOWN_FUNCTION,
                node_type,
                f"function {function_id.value!r} has an empty node type",
                "name the ComfyUI node type, e.g. KSampler",
                function=function_id.value,
            )
        self._functions[function_id.value] = _Pending(type=node_type.value)
        return True

    def add_param(self, function_id: Located, name: Located, value: ParamValue) -> None:
        """Set a literal parameter of a declared function; a repeated name is a problem."""
        pending = self._functions.get(function_id.value)
        if pending is None:
            self._unknown(function_id)
            return
        if name.value in pending.params:
            self._problem(
                DiagnosticKind.DUPLICATE_PARAMETER,
                name,
                f"parameter {name.value!r} of function {function_id.value!r} is given twice",
                "keep one value per parameter",
                function=function_id.value,
            )
            return
        pending.params[name.value] = plain(value)

    def add_link(self, source: Located, output: OutputRef, target: Located, input_name: Located) -> None:
        """Add a link; unknown ends are reported by `build` (so forward references work)."""
        link = Link(source=source.value, output=output, target=target.value, input=input_name.value)
        self._links.append((link, source, target))

    def build(self) -> Flow:
        """Return the Flow, or raise one `ALangSemanticError` listing every problem found."""
        for _link, source, target in self._links:
            for end in (source, target):
                if end.value not in self._functions:
                    self._unknown(end)
        if self._problems:
            first = self._problems[0]
            more = f" (and {len(self._problems) - 1} more problems)" if len(self._problems) > 1 else ""
            raise ALangSemanticError(
                f"line {first.line}, column {first.column}: {first.message}{more}; hint: {first.hint}",
                diagnostics=list(self._problems),
            )
        functions: dict[str, Function] = {}
        for function_id, pending in self._functions.items():
            try:
                functions[function_id] = Function(type=pending.type, params=pending.params)
            except ValueError as exc:
                raise ALangSemanticError(f"function {function_id!r}: {exc}") from exc
        return Flow.build(functions, [link for link, _source, _target in self._links])

    def _unknown(self, name: Located) -> None:
        known = ", ".join(repr(k) for k in list(self._functions)[:12]) or "none"
        self._problem(
            DiagnosticKind.UNKNOWN_LINK_SOURCE,
            name,
            f"reference to unknown function {name.value!r}",
            f"link only to defined function ids (defined: {known}); quote text values",
        )

    def _problem(
        self, kind: DiagnosticKind, where: Located, message: str, hint: str, *, function: str | None = None
    ) -> None:
        self._problems.append(
            Diagnostic(
                kind=kind,
                message=message,
                hint=hint,
                function=function if function is not None else where.value,
                line=where.line,
                column=where.column,
            )
        )
