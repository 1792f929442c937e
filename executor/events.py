"""Typed ComfyUI websocket events and the stream that reads them.

Text frames are JSON `{"type", "data"}`; binary frames (preview images) are skipped. Event types of the
2024 local server and of current upstream ComfyUI are both understood; unknown types become a plain
`Event` (tolerated, never demanded).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Protocol

from anysym.errors import ComfyConnectionError, ComfyProtocolError


@dataclass(frozen=True, kw_only=True)
class Event:
    """One websocket message; `data` is the raw payload, kept for logs."""

    type: str
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def prompt_id(self) -> str | None:
        """The prompt this event belongs to (None for broadcasts such as `status`)."""
        value = self.data.get("prompt_id")
        return value if isinstance(value, str) else None


@dataclass(frozen=True, kw_only=True)
class Status(Event):
    """Queue status broadcast (`sid` only on connect)."""

    queue_remaining: int | None = None


@dataclass(frozen=True, kw_only=True)
class ExecutionStart(Event):
    """A prompt started running."""


@dataclass(frozen=True, kw_only=True)
class ExecutionCached(Event):
    """Nodes whose outputs were reused from the cache."""

    nodes: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Executing(Event):
    """A node started; `node is None` means the prompt finished (success or error)."""

    node: str | None = None


@dataclass(frozen=True, kw_only=True)
class Progress(Event):
    """Progress inside one node (`value` of `max`)."""

    node: str | None = None
    value: float = 0.0
    max: float = 0.0


@dataclass(frozen=True, kw_only=True)
class Executed(Event):
    """An output node finished; `output` lists its files (`images`, `gifs`, ...)."""

    node: str = ""
    output: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class ExecutionError(Event):
    """A node raised at run time."""

    node_id: str | None = None
    node_type: str | None = None
    exception_type: str = ""
    exception_message: str = ""
    traceback: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ExecutionInterrupted(Event):
    """The prompt was interrupted (by `/interrupt`)."""

    node_id: str | None = None
    node_type: str | None = None


@dataclass(frozen=True, kw_only=True)
class ExecutionSuccess(Event):
    """The prompt finished without error (current upstream only)."""


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def parse_event(text: str | bytes) -> Event | None:
    """Parse one websocket frame; None for binary previews and empty frames.

    Raises:
        ComfyProtocolError: the frame is not a JSON object with a string `type`.
    """
    if isinstance(text, bytes) or not text.strip():
        return None
    try:
        frame = json.loads(text)
    except ValueError as exc:
        raise ComfyProtocolError("a websocket frame is not JSON", body=text[:2000]) from exc
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise ComfyProtocolError("a websocket frame has no `type`", body=text[:2000])
    kind: str = frame["type"]
    payload = frame.get("data")
    data: dict[str, Any] = payload if isinstance(payload, dict) else {}
    return _build(kind, data)


def _build(kind: str, data: dict[str, Any]) -> Event:
    if kind == "status":
        remaining = data.get("status", {}).get("exec_info", {}).get("queue_remaining")
        return Status(type=kind, data=data, queue_remaining=remaining if isinstance(remaining, int) else None)
    if kind == "execution_start":
        return ExecutionStart(type=kind, data=data)
    if kind == "execution_cached":
        return ExecutionCached(type=kind, data=data, nodes=tuple(str(n) for n in data.get("nodes") or ()))
    if kind == "executing":
        return Executing(type=kind, data=data, node=_str_or_none(data.get("node")))
    if kind == "progress":
        value, top = data.get("value", 0), data.get("max", 0)
        return Progress(
            type=kind,
            data=data,
            node=_str_or_none(data.get("node")),
            value=float(value) if isinstance(value, int | float) else 0.0,
            max=float(top) if isinstance(top, int | float) else 0.0,
        )
    if kind == "executed":
        output = data.get("output")
        return Executed(
            type=kind,
            data=data,
            node=str(data.get("node")),
            output=output if isinstance(output, dict) else {},
        )
    if kind == "execution_error":
        trace = data.get("traceback")
        return ExecutionError(
            type=kind,
            data=data,
            node_id=_str_or_none(data.get("node_id")),
            node_type=_str_or_none(data.get("node_type")),
            exception_type=str(data.get("exception_type") or ""),
            exception_message=str(data.get("exception_message") or ""),
            traceback=tuple(str(line) for line in trace) if isinstance(trace, list) else (),
        )
    if kind == "execution_interrupted":
        return ExecutionInterrupted(
            type=kind,
            data=data,
            node_id=_str_or_none(data.get("node_id")),
            node_type=_str_or_none(data.get("node_type")),
        )
    if kind == "execution_success":
        return ExecutionSuccess(type=kind, data=data)
    return Event(type=kind, data=data)


class Connection(Protocol):
    """The part of a websocket connection the stream uses (websockets' `ClientConnection`)."""

    async def recv(self) -> str | bytes:
        """Receive the next frame."""
        ...

    async def close(self) -> None:
        """Close the connection."""
        ...


class AsyncContextManagerOf(Protocol):
    """An async context manager yielding a `Connection` (what `websockets.connect(url)` returns)."""

    async def __aenter__(self) -> Connection:
        """Open."""
        ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool | None:
        """Close."""
        ...


Connector = Callable[[str], AsyncContextManagerOf]
"""Opens a websocket URL (the default is `websockets_connector`; tests inject fakes)."""


def websockets_connector(url: str) -> AsyncContextManagerOf:
    """Open a real websocket with explicit timeouts (the default connector)."""
    from websockets.asyncio.client import connect

    loopback = "://127." in url or "://localhost" in url or "://[::1]" in url
    return connect(url, open_timeout=10, close_timeout=2, max_size=None, proxy=None if loopback else True)


def transport_errors() -> tuple[type[BaseException], ...]:
    """What a websocket raises when the peer or the network fails; anything else is a bug and propagates.

    A broad `except Exception` here turned a connector bug into a "closed" socket and a silent fallback
    to `/history` polling.
    """
    from websockets.exceptions import WebSocketException

    return (OSError, EOFError, WebSocketException)


class EventStream:
    """An open websocket to one server: connect BEFORE queueing, then iterate or `await next(timeout)`.

    **Usage**: `async with client.events() as stream: ...; event = await stream.next(timeout=1.0)`.
    """

    def __init__(self, url: str, connector: Connector) -> None:
        self.url = url
        self._connector = connector
        self._cm: AsyncContextManagerOf | None = None
        self._conn: Connection | None = None

    async def __aenter__(self) -> EventStream:
        try:
            self._cm = self._connector(self.url)
            self._conn = await self._cm.__aenter__()
        except (OSError, TimeoutError) as exc:
            raise ComfyConnectionError(
                f"cannot open the websocket {self.url} ({exc}); is the server up?"
            ) from exc
        except transport_errors() as exc:  # websockets' InvalidHandshake / InvalidURI / InvalidProxy
            raise ComfyConnectionError(f"websocket handshake with {self.url} failed: {exc}") from exc
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        cm, self._cm, self._conn = self._cm, None, None
        if cm is not None:
            try:
                await cm.__aexit__(None, None, None)
            except Exception:  # noqa: BLE001  closing a dead socket must not hide the real error
                pass

    async def next(self, timeout: float | None = None) -> Event:
        """The next event (binary/empty frames skipped).

        Raises:
            TimeoutError: nothing arrived within `timeout` (the caller decides what that means).
            ComfyConnectionError: the server closed the connection or died.
        """
        import asyncio

        if self._conn is None:
            raise RuntimeError("EventStream used outside `async with`")
        while True:
            try:
                frame = await asyncio.wait_for(self._conn.recv(), timeout)
            except TimeoutError:
                raise
            except transport_errors() as exc:
                raise ComfyConnectionError(
                    f"the websocket to {self.url} closed: {exc or type(exc).__name__}"
                ) from exc
            event = parse_event(frame)
            if event is not None:
                return event

    def __aiter__(self) -> AsyncIterator[Event]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Event]:
        while True:
            yield await self.next()
