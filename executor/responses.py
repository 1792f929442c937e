"""ComfyUI's HTTP answers and failures as data or typed errors.

The one table the client and `validate --server` use: transport failures, status codes, JSON that is not
ComfyUI's, and the 400 bodies of rejected prompts.
"""

from __future__ import annotations

from typing import Any

import httpx

from anysym.errors import (
    ComfyConnectionError,
    ComfyError,
    ComfyHTTPStatusError,
    ComfyProtocolError,
    ComfyTimeoutError,
    ComfyValidationError,
)
from anysym.executor.errors_map import diagnostics_from_400

__all__ = [
    "decode_json",
    "is_json_object",
    "json_object",
    "raise_for_status",
    "total_deadline",
    "transport_error",
    "validation_error",
]


def total_deadline(timeout: httpx.Timeout) -> float | None:
    """The whole exchange's limit (connect + send + the entire body) for a request with `timeout`.

    httpx's timeouts bound each read, so a server that trickles a byte every few seconds would keep one
    request alive forever; this bounds the sum. None when the read itself is unbounded.
    """
    return None if timeout.read is None else (timeout.connect or 0.0) + timeout.read


def transport_error(exc: httpx.HTTPError, exchange: str, fix: str) -> ComfyError:
    """The typed error of an httpx failure talking to ComfyUI: the one table for every caller.

    `exchange` names the request (`GET http://host/object_info`), `fix` says what to do when the server
    cannot be reached.
    """
    name = type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return ComfyTimeoutError(f"{exchange} got no answer in time ({name}); is the server busy?")
    if isinstance(exc, httpx.DecodingError | httpx.TooManyRedirects):
        return ComfyProtocolError(f"{exchange} answered what ComfyUI never sends ({name}: {exc})")
    # every other transport failure: refused, reset, proxy, protocol
    return ComfyConnectionError(f"{exchange} failed: cannot reach the server ({exc}); {fix}")


def is_json_object(response: httpx.Response) -> bool:
    """Whether the answer's body is a JSON object."""
    try:
        return isinstance(response.json(), dict)
    except ValueError:
        return False


def decode_json(response: httpx.Response) -> Any:
    """The answer's JSON; malformed JSON is a `ComfyProtocolError`."""
    try:
        return response.json()
    except ValueError as exc:
        raise ComfyProtocolError(
            f"{response.request.method} {response.request.url.path} answered with malformed JSON",
            body=response.text[:2000],
        ) from exc


def json_object(value: Any, what: str) -> dict[str, Any]:
    """`value` when it is a JSON object, else a `ComfyProtocolError` naming `what` answered it."""
    if not isinstance(value, dict):
        raise ComfyProtocolError(f"{what} answered {type(value).__name__}, expected a JSON object")
    return value


def raise_for_status(response: httpx.Response) -> None:
    """Raise `ComfyHTTPStatusError` unless the answer is a 2xx."""
    if response.is_success:
        return
    request = response.request
    raise ComfyHTTPStatusError(
        f"{request.method} {request.url.path} answered HTTP {response.status_code}",
        status=response.status_code,
        body=response.text[:10000],
    )


def validation_error(response: httpx.Response) -> ComfyValidationError:
    """The `ComfyValidationError` of a `POST /prompt` 400, with one Diagnostic per problem it names."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        body = {"error": response.text[:2000] or "HTTP 400 without a body", "node_errors": []}
    diagnostics = diagnostics_from_400(body)
    summary = "; ".join(d.render() for d in diagnostics[:3])
    return ComfyValidationError(
        f"the server rejected the prompt: {summary}",
        error=body.get("error"),
        node_errors=body.get("node_errors"),
        body=response.text,
        diagnostics=diagnostics,
    )
