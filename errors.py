"""The one exception hierarchy of anysym.

```
AnysymError
 +-- ALangError                    a program in A-Language is wrong
 |    +-- ALangSyntaxError         cannot be parsed (line, column, caret snippet)
 |    +-- ALangSemanticError       parses, but is not a flow (duplicate id, dangling link...)
 +-- CatalogError                  an /object_info document cannot be understood
 +-- CompileError                  a flow cannot be turned into a ComfyUI prompt
 +-- ComfyError                    talking to a ComfyUI server failed
 |    +-- ComfyConnectionError     refused / reset / DNS (wraps httpx.TransportError)
 |    +-- ComfyTimeoutError        no answer or no completion in time
 |    +-- ComfyHTTPStatusError     unexpected status (status, body kept)
 |    +-- ComfyProtocolError       a malformed response body or event
 |    +-- ComfyValidationError     HTTP 400 on /prompt (node_errors kept verbatim)
 +-- LocalServiceError             a managed local service (ComfyUI, llama.cpp) cannot be installed/started
 +-- LLMError                      the language model endpoint failed after retries
 +-- JudgeError                    the vision judge endpoint failed or its reply held no verdict
 +-- MediaError                    a picture cannot be read (corrupt, truncated, not a picture, a bomb)
 +-- CheckpointError               a run's checkpoint database cannot be read or written (sqlite3)
 +-- RetrievalError                the reference-program store cannot be built or queried
 +-- BenchError                    a benchmark suite, its inputs or its results cannot be used
```

A job that fails at run time and refinement that runs out are results, not exceptions: their problems
travel as Diagnostics in the `Result`. Programmer misuse stays a plain `TypeError` / `ValueError`. Every
class carries a one-line message that says what to do; structured problems travel as `Diagnostic` lists
in `diagnostics`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import ValidationError

    from anysym.language.diagnostics import Diagnostic


class AnysymError(Exception):
    """Root of every error anysym raises on bad input or failing services."""

    def __init__(self, message: str, *, diagnostics: list[Diagnostic] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.diagnostics: list[Diagnostic] = list(diagnostics or [])


class ALangError(AnysymError):
    """A program written in A-Language is wrong."""


class ALangSyntaxError(ALangError):
    """Raised when a program cannot be parsed; carries the position and a caret snippet."""

    def __init__(
        self,
        message: str,
        *,
        line: int,
        column: int,
        snippet: str = "",
        diagnostics: list[Diagnostic] | None = None,
    ) -> None:
        super().__init__(message, diagnostics=diagnostics)
        self.line = line
        self.column = column
        self.snippet = snippet

    def __str__(self) -> str:
        where = f"line {self.line}, column {self.column}: {self.message}"
        return f"{where}\n{self.snippet}" if self.snippet else where


class ALangSemanticError(ALangError):
    """Raised when a program parses but does not describe a flow (duplicate ids, dangling links)."""


class CatalogError(AnysymError):
    """Raised when an /object_info document or snapshot cannot be understood."""


class CompileError(AnysymError):
    """Raised when a flow cannot be compiled to a ComfyUI prompt."""


class ComfyError(AnysymError):
    """Talking to a ComfyUI server failed."""


class ComfyConnectionError(ComfyError):
    """Raised when the server cannot be reached (refused, reset, unknown host)."""


class ComfyTimeoutError(ComfyError):
    """Raised when the server does not answer or a job does not finish in time."""


class ComfyHTTPStatusError(ComfyError):
    """Raised on an unexpected HTTP status; the status and raw body are kept for logs."""

    def __init__(self, message: str, *, status: int, body: str) -> None:
        super().__init__(message)
        self.status = status
        self.body = body


class ComfyProtocolError(ComfyError):
    """Raised when a response or websocket event does not have the expected shape."""

    def __init__(self, message: str, *, body: str = "") -> None:
        super().__init__(message)
        self.body = body


class ComfyValidationError(ComfyError):
    """Raised on HTTP 400 from /prompt; `node_errors` and the raw body are kept verbatim."""

    def __init__(
        self,
        message: str,
        *,
        error: Any,
        node_errors: Any,
        body: str,
        diagnostics: list[Diagnostic] | None = None,
    ) -> None:
        super().__init__(message, diagnostics=diagnostics)
        self.error = error
        self.node_errors = node_errors
        self.body = body


class LocalServiceError(AnysymError):
    """Raised when a managed local service (ComfyUI, llama.cpp) cannot be installed or started."""


class LLMError(AnysymError):
    """Raised when the language model endpoint keeps failing after the transport retries."""


class JudgeError(AnysymError):
    """Raised when the vision judge cannot be asked (transport, HTTP, timeout) or gives no verdict."""


class MediaError(AnysymError):
    """Raised when a picture (an input or an output) cannot be read: corrupt, truncated, a bomb..."""


class CheckpointError(AnysymError):
    """Raised when a run's checkpoint database cannot be read or written."""


class RetrievalError(AnysymError):
    """Raised when the reference-program store cannot be built or queried."""


class BenchError(AnysymError):
    """Raised when a benchmark suite, its input files or a results file cannot be used."""


def first_problem(exc: ValidationError) -> str:
    """The first problem pydantic found, on one line (`field.path: message`), for an error message."""
    errors = exc.errors()
    if not errors:
        return "invalid value"
    where = ".".join(str(part) for part in errors[0]["loc"])
    return f"{where}: {errors[0]['msg']}" if where else str(errors[0]["msg"])
