"""Wait for one queued prompt: websocket events first, `/history` polling as the fallback, a hard deadline.

A websocket that closes mid-run switches to polling; only a server that stops answering `/history` too
ends the wait with `ComfyConnectionError`.

Completion is `executing{node: null}` or `execution_success` for our prompt (errors and interrupts end
it too), or a `/history` entry appearing. On timeout the prompt is removed from the queue or interrupted,
then `ComfyTimeoutError` is raised. Events are also folded into a history-shaped entry, used when the
server's history does not show up in time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from anysym.errors import ComfyConnectionError, ComfyError, ComfyTimeoutError
from anysym.executor.events import (
    Event,
    EventStream,
    Executed,
    Executing,
    ExecutionError,
    ExecutionInterrupted,
    ExecutionSuccess,
)

if TYPE_CHECKING:
    from anysym.executor.client import ComfyClient

POLL_INTERVAL_S = 2.0
"""How long to wait for an event before checking `/history` (also the polling period without a stream)."""
HISTORY_GRACE_S = 3.0
"""How long to keep asking `/history` after the completion event before using the events' account."""


class _EventLog:
    """A history-shaped account of one prompt built from its events."""

    def __init__(self) -> None:
        self.outputs: dict[str, Any] = {}
        self.messages: list[list[Any]] = []
        self.failed = False

    def add(self, event: Event) -> None:
        if isinstance(event, Executed):
            self.outputs[event.node] = event.output
        elif isinstance(event, ExecutionError | ExecutionInterrupted):
            self.failed = True
        if not isinstance(event, Executing):
            self.messages.append([event.type, event.data])

    def entry(self) -> dict[str, Any]:
        status = "error" if self.failed else "success"
        return {
            "outputs": self.outputs,
            "status": {"status_str": status, "completed": not self.failed, "messages": self.messages},
            "source": "events",
        }


def _ends(event: Event, prompt_id: str) -> bool:
    if event.prompt_id != prompt_id:
        return False
    if isinstance(event, Executing):
        return event.node is None
    return isinstance(event, ExecutionSuccess | ExecutionError | ExecutionInterrupted)


async def wait_for_prompt(
    client: ComfyClient,
    prompt_id: str,
    timeout: float,
    *,
    stream: EventStream | None,
    on_event: Callable[[Event], None] | None,
) -> dict[str, Any]:
    """Return the finished prompt's history entry (see the module docstring)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    log = _EventLog()
    while True:
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise await _give_up(client, prompt_id, timeout)
        if stream is None:
            await asyncio.sleep(min(POLL_INTERVAL_S, remaining))
            entry = await client.history(prompt_id)
            if entry is not None:
                return entry
            continue
        try:
            event = await stream.next(timeout=min(POLL_INTERVAL_S, remaining))
        except TimeoutError:
            entry = await client.history(prompt_id)
            if entry is not None:
                return entry
            continue
        except ComfyConnectionError:
            # The websocket alone may drop (a proxy's idle timeout, a server restarting its socket
            # handler) while the prompt runs on: poll /history until the deadline. If the server itself
            # is gone, the next /history raises the connection error.
            stream = None
            continue
        if event.prompt_id in (None, prompt_id):
            if on_event is not None:
                on_event(event)
            if event.prompt_id == prompt_id:
                log.add(event)
        if _ends(event, prompt_id):
            return await _final_history(client, prompt_id, log, deadline)


async def _final_history(
    client: ComfyClient, prompt_id: str, log: _EventLog, deadline: float
) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    grace_end = min(deadline, loop.time() + HISTORY_GRACE_S)
    while True:
        entry = await client.history(prompt_id)
        if entry is not None:
            return entry
        if loop.time() >= grace_end:
            return log.entry()
        await asyncio.sleep(0.05)


async def _give_up(client: ComfyClient, prompt_id: str, timeout: float) -> ComfyTimeoutError:
    """Stop the prompt (dequeue if pending, interrupt if running) and build the timeout error."""
    action = "interrupted"
    try:
        where = await client.queue_position(prompt_id)
        if where == "pending":
            await client.delete_from_queue(prompt_id)
            action = "removed from the queue"
        elif where == "running":
            await client.interrupt(prompt_id)
        else:
            action = "no longer queued"
    except ComfyError:
        action = "could not be stopped (server unreachable)"
    return ComfyTimeoutError(
        f"prompt {prompt_id} did not finish within {timeout:g} s and was {action}; "
        "raise the timeout or simplify the flow"
    )
