"""ComfyUI socket types: when a link from one output type may feed an input type.

The rules follow upstream ComfyUI's `validate_node_input` (non-strict mode) and the litegraph front end:

- `*` (ANY) or an empty type on either side matches everything;
- comma-separated unions ("IMAGE,MASK") match when the two sides share at least one type;
- a COMBO output (a list of choices in `/object_info`) feeds a COMBO input; a STRING output does NOT feed a
  COMBO input (upstream rejects it with `return_type_mismatch`; write the choice as a literal instead);
- widget inputs (INT, FLOAT, STRING, BOOLEAN) accept links of exactly their own type: an INT output into an
  INT widget is fine, an INT output into a FLOAT widget is not (upstream rejects it too).

The June-2024 server that anysym manages accepts every type mismatch at `/prompt` and fails at run time;
anysym reports it before queueing, like upstream does.
"""

from __future__ import annotations

from functools import lru_cache

ANY = "*"
"""The wildcard socket type."""


@lru_cache(maxsize=4096)
def type_parts(type_name: str) -> frozenset[str]:
    """Split a (possibly comma-separated union) type into its member types."""
    return frozenset(part.strip() for part in type_name.split(",") if part.strip())


def is_any(type_name: str) -> bool:
    """Whether a type is the wildcard (`*`, or empty, or a union containing `*`)."""
    parts = type_parts(type_name)
    return not parts or ANY in parts


def types_compatible(received: str, expected: str) -> bool:
    """Tell whether an output of type `received` may feed an input of type `expected`."""
    if received == expected or is_any(received) or is_any(expected):
        return True
    return not type_parts(received).isdisjoint(type_parts(expected))
