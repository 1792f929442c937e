"""A server's `/object_info` as a Catalog, fetched synchronously under one total deadline.

For the callers without an event loop: `validate --server` and the module `langgraph dev` serves.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from anysym.errors import ComfyHTTPStatusError, ComfyProtocolError, ComfyTimeoutError
from anysym.executor.responses import json_object, transport_error
from anysym.http_body import BodyTooSlow, read_within
from anysym.language.catalog import Catalog

__all__ = ["CATALOG_TIMEOUT_S", "fetch_catalog", "fetch_object_info"]

CATALOG_TIMEOUT_S = 30.0
"""How long a fetch waits for the whole `/object_info`."""


def fetch_catalog(
    url: str, timeout: float = CATALOG_TIMEOUT_S, *, fix: str = "start the server or fix --server"
) -> Catalog:
    """GET `{url}/object_info` and build a Catalog; see `fetch_object_info`."""
    return Catalog.from_object_info(fetch_object_info(url, timeout, fix=fix))


def fetch_object_info(
    url: str, timeout: float = CATALOG_TIMEOUT_S, *, fix: str = "start the server or fix --server"
) -> dict[str, Any]:
    """GET `{url}/object_info` as JSON; transport problems raise typed `ComfyError`s.

    `timeout` bounds the whole exchange, the body included: httpx's timeouts bound each read, so a
    server trickling a byte every few seconds would otherwise keep the caller waiting forever. `fix` ends
    the message when the server cannot be reached.
    """
    endpoint = url.rstrip("/") + "/object_info"
    started = time.monotonic()
    try:
        with httpx.Client(timeout=timeout) as client, client.stream("GET", endpoint) as response:
            body = read_within(response, timeout, started=started)
    except BodyTooSlow as exc:
        raise ComfyTimeoutError(
            f"{endpoint} sent {exc.received:,} bytes in {timeout:g} s and was still sending; "
            "is the server overloaded? (raise the timeout or try again)"
        ) from exc
    except httpx.HTTPError as exc:
        raise transport_error(exc, f"GET {endpoint}", fix) from exc
    text = body.decode("utf-8", errors="replace")
    if response.status_code != 200:
        raise ComfyHTTPStatusError(
            f"{endpoint} answered HTTP {response.status_code}; is this a ComfyUI server?",
            status=response.status_code,
            body=text[:2000],
        )
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ComfyProtocolError(f"{endpoint} did not return JSON", body=text[:2000]) from exc
    return json_object(data, f"GET {endpoint}")
