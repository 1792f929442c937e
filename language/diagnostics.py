"""Diagnostic: one problem with a flow, addressed to a function and port; the refiner's only input."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Severity(StrEnum):
    """How bad a problem is: errors block compilation or execution, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


class DiagnosticKind(StrEnum):
    """Machine-readable kinds; parse, validation, server 400 and runtime problems share this list."""

    SYNTAX_ERROR = "syntax_error"
    DUPLICATE_FUNCTION = "duplicate_function"
    DUPLICATE_PARAMETER = "duplicate_parameter"
    UNKNOWN_LINK_SOURCE = "unknown_link_source"
    UNKNOWN_FUNCTION = "unknown_function"
    UNKNOWN_INPUT = "unknown_input"
    HIDDEN_INPUT = "hidden_input"
    MISSING_INPUT = "missing_input"
    UNKNOWN_OUTPUT = "unknown_output"
    TYPE_MISMATCH = "type_mismatch"
    WRONG_VALUE_TYPE = "wrong_value_type"
    VALUE_NOT_IN_LIST = "value_not_in_list"
    VALUE_OUT_OF_RANGE = "value_out_of_range"
    DUPLICATE_LINK = "duplicate_link"
    VALUE_AND_LINK = "value_and_link"
    CYCLE = "cycle"
    FLOW_TOO_DEEP = "flow_too_deep"
    NO_OUTPUT_NODE = "no_output_node"
    UNUSED_OUTPUT = "unused_output"
    INVALID_INPUT_FILE = "invalid_input_file"
    INVALID_OUTPUT_PATH = "invalid_output_path"
    SERVER_REJECTED = "server_rejected"
    EXECUTION_ERROR = "execution_error"
    EXECUTION_INTERRUPTED = "execution_interrupted"
    TIMEOUT = "timeout"
    NO_OUTPUTS = "no_outputs"
    MISSING_KEY_FUNCTION = "missing_key_function"
    EXTRACTION_ERROR = "extraction_error"
    VERIFICATION_FAILED = "verification_failed"
    UNCLAIMED_VALUE = "unclaimed_value"
    UNKNOWN_INPUT_FILE = "unknown_input_file"
    UNUSED_INPUT_FILE = "unused_input_file"
    REACHES_NO_OUTPUT = "reaches_no_output"


class Diagnostic(BaseModel):
    """One problem: what kind, where (function id, port, source line), what is wrong and how to fix it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: DiagnosticKind
    message: str
    severity: Severity = Severity.ERROR
    function: str | None = None
    port: str | None = None
    hint: str | None = None
    line: int | None = None
    column: int | None = None

    @property
    def is_error(self) -> bool:
        """Whether this problem blocks compilation or execution."""
        return self.severity is Severity.ERROR

    def render(self) -> str:
        """Render one compact line, e.g. `error[missing_input] sampler.model: ... (hint: ...)`."""
        where = self.function or ""
        if self.port:
            where = f"{where}.{self.port}" if where else self.port
        if self.line is not None:
            position = f"line {self.line}" + (f":{self.column}" if self.column is not None else "")
            where = f"{where} ({position})" if where else position
        text = f"{self.severity.value}[{self.kind.value}]"
        text += f" {where}: {self.message}" if where else f": {self.message}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return text


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    """Return True when any diagnostic is an error."""
    return any(d.is_error for d in diagnostics)


MAX_PROBLEMS_FOR_LLM = 12
"""Diagnostics a repair prompt lists one by one; the rest are summed up in one line. A looping answer
produced 80 warnings (one per unused copy) that made a 7,600-token refine prompt."""


def render_for_llm(diagnostics: Sequence[Diagnostic], limit: int = MAX_PROBLEMS_FOR_LLM) -> str:
    """Render a numbered list meant to be pasted into an LLM repair prompt (errors first).

    Beyond `limit` entries, one last line counts the others by kind and names their functions.
    """
    ordered = sorted(diagnostics, key=lambda d: 0 if d.is_error else 1)
    lines = [f"{i}. {d.render()}" for i, d in enumerate(ordered[:limit], 1)]
    rest = ordered[limit:]
    if rest:
        kinds = Counter(f"{d.severity.value}[{d.kind.value}]" for d in rest)
        functions = list(dict.fromkeys(d.function for d in rest if d.function))
        named = ", ".join(functions[:8]) + (f" and {len(functions) - 8} more" if len(functions) > 8 else "")
        counted = ", ".join(f"{n} x {kind}" for kind, n in kinds.items())
        lines.append(
            f"{limit + 1}. and {len(rest)} more like the above: {counted}"
            + (f", on functions {named}" if named else "")
        )
    return "\n".join(lines)


def diagnostics_to_json(diagnostics: Sequence[Diagnostic]) -> str:
    """Serialise diagnostics as a JSON array (None fields omitted)."""
    return json.dumps([d.model_dump(mode="json", exclude_none=True) for d in diagnostics], indent=2)
