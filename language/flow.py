"""The A-Language IR: a flow Ω = (F, Φ, T) of functions, their parameters and port-to-port links."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Any, TypeAlias

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    model_validator,
)
from typing_extensions import TypeAliasType

from anysym.errors import ALangSemanticError

ParamValue = TypeAliasType(
    "ParamValue", "StrictBool | StrictInt | StrictFloat | StrictStr | None | list[ParamValue]"
)
"""A literal parameter value: JSON scalars and lists of them (bool, int and float are kept distinct)."""

OutputRef: TypeAlias = StrictStr | StrictInt
"""A function output, addressed by its name (e.g. "CLIP") or its 0-based index."""


def _check_finite(value: Any) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"parameter values must be finite numbers, got {value!r}")
    if isinstance(value, list):
        for item in value:
            _check_finite(item)


class Function(BaseModel):
    """One function of a flow: a ComfyUI node type and its literal parameters (F and Φ)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: StrictStr = Field(min_length=1)
    params: dict[StrictStr, ParamValue] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _finite_params(self) -> Function:
        for value in self.params.values():
            _check_finite(value)
        return self


class Link(BaseModel):
    """One edge of T: output `output` of function `source` feeds input `input` of function `target`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: StrictStr
    output: OutputRef
    target: StrictStr
    input: StrictStr

    @model_validator(mode="after")
    def _non_negative_index(self) -> Link:
        if isinstance(self.output, int) and self.output < 0:
            raise ValueError(f"output index must be >= 0, got {self.output}")
        return self

    def sort_key(self) -> tuple[str, str, str, int, str]:
        """Return the canonical ordering key (links are kept sorted so equal flows compare equal)."""
        out = self.output
        return (self.target, self.input, self.source, out if isinstance(out, int) else -1, str(out))


class Flow(BaseModel):
    """A whole program: functions keyed by the author's ids (kept verbatim, in author order) and links.

    Flows are values: frozen, compared by content (function order and link order do not matter for
    equality; links are stored in a canonical order), hashable, and JSON-serialisable. Every link must
    name existing functions; everything else (types, ports, cycles) is checked by `validate`.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    functions: dict[StrictStr, Function] = Field(default_factory=dict)
    links: tuple[Link, ...] = ()

    @model_validator(mode="after")
    def _canonical_and_closed(self) -> Flow:
        for link in self.links:
            for end in (link.source, link.target):
                if end not in self.functions:
                    raise ValueError(f"link {link_label(link)} refers to unknown function {end!r}")
        ordered = tuple(sorted(self.links, key=Link.sort_key))
        if ordered != self.links:
            object.__setattr__(self, "links", ordered)
        return self

    @classmethod
    def build(
        cls,
        functions: Mapping[str, Function] | Iterable[tuple[str, Function]],
        links: Iterable[Link] = (),
    ) -> Flow:
        """Build a flow, raising `ALangSemanticError` (not a pydantic error) for dangling links."""
        items = dict(functions.items() if isinstance(functions, Mapping) else functions)
        try:
            return cls(functions=items, links=tuple(links))
        except ValueError as exc:
            raise ALangSemanticError(_first_error(exc)) from exc

    def __hash__(self) -> int:
        return hash(self.canonical_json())

    def canonical_json(self) -> str:
        """Return a JSON text that is equal for equal flows (sorted keys)."""
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)

    def to_json(self, *, indent: int | None = 2) -> str:
        """Serialise to JSON, keeping the author's function order."""
        return self.model_dump_json(indent=indent)

    @classmethod
    def from_json(cls, text: str | bytes) -> Flow:
        """Load a flow written by `to_json`."""
        return cls.model_validate_json(text)

    def links_into(self, function_id: str) -> list[Link]:
        """Return the links whose target is `function_id`."""
        return [link for link in self.links if link.target == function_id]

    def links_from(self, function_id: str) -> list[Link]:
        """Return the links whose source is `function_id`."""
        return [link for link in self.links if link.source == function_id]

    def with_function(self, function_id: str, function: Function) -> Flow:
        """Return a copy with `function_id` added (appended) or replaced (in place)."""
        functions = dict(self.functions)
        functions[function_id] = function
        return Flow(functions=functions, links=self.links)

    def with_params(self, function_id: str, params: Mapping[str, Any]) -> Flow:
        """Return a copy whose function `function_id` has exactly `params`."""
        function = self.functions[function_id]
        return self.with_function(function_id, Function(type=function.type, params=dict(params)))

    def with_links(self, links: Iterable[Link]) -> Flow:
        """Return a copy with the links replaced."""
        return Flow(functions=self.functions, links=tuple(links))

    def without_function(self, function_id: str) -> Flow:
        """Return a copy without `function_id` and every link touching it."""
        functions = {k: v for k, v in self.functions.items() if k != function_id}
        links = [lk for lk in self.links if function_id not in (lk.source, lk.target)]
        return Flow(functions=functions, links=tuple(links))

    def node_types(self) -> list[str]:
        """Return the distinct node types used, in first-use order."""
        return list(dict.fromkeys(f.type for f in self.functions.values()))


def link_label(link: Link) -> str:
    """Describe a link as `source[output] -> target.input` for messages."""
    return f"{link.source}[{link.output!r}] -> {link.target}.{link.input}"


def _first_error(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        details = errors()
        if details:
            message = str(details[0].get("msg", exc))
            return message.removeprefix("Value error, ")
    return str(exc)
