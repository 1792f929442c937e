"""ServerPool: several ComfyUI servers; each job goes to the least-loaded reachable one.

Load = running + pending prompts from `/queue`, plus the jobs this pool dispatched there that are still
in flight (the server's queue lags behind our uploads). Unreachable servers are skipped; a server that
dies during a job, or answers it with HTTP 5xx or something that is not ComfyUI's JSON, counts as sick
for `SICK_FOR_S` and the job is retried on another one; the job fails only when no server is left.
Each server's catalog is fetched once and cached.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx

from anysym.errors import (
    ComfyConnectionError,
    ComfyError,
    ComfyHTTPStatusError,
    ComfyProtocolError,
    ComfyTimeoutError,
)
from anysym.executor.client import ComfyClient
from anysym.executor.events import Connector, Event, websockets_connector
from anysym.executor.job import JobResult, run_prompt
from anysym.language.catalog import Catalog

PROBE_TIMEOUT_S = 5.0
"""How long one `/queue` probe may take before the server counts as unreachable for this dispatch."""
SICK_FOR_S = 60.0
"""How long a server that answered a job with 5xx or malformed JSON is left out of dispatching."""


class ServerPool:
    """Dispatch jobs over several ComfyUI servers sharing one `httpx.AsyncClient`.

    **Usage**: `pool = ServerPool(["http://gpu1:8188", "http://gpu2:8188"], http)`;
    `result = await pool.run_prompt(prompt, inputs=..., out_dir=..., timeout=600)`.
    """

    def __init__(
        self,
        urls: Sequence[str],
        http: httpx.AsyncClient,
        *,
        connector: Connector = websockets_connector,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not urls:
            raise ValueError("ServerPool needs at least one server URL")
        self.clients = [ComfyClient(url, http=http, connector=connector) for url in dict.fromkeys(urls)]
        self._in_flight = {client.base_url: 0 for client in self.clients}
        self._catalogs: dict[str, Catalog] = {}
        self._sick_until: dict[str, float] = {}
        self._clock = clock

    def is_sick(self, url: str) -> bool:
        """Whether `url` answered a job with 5xx or malformed JSON less than `SICK_FOR_S` ago."""
        return self._sick_until.get(url.rstrip("/"), float("-inf")) > self._clock()

    async def _probe(self, client: ComfyClient) -> int | None:
        if self.is_sick(client.base_url):
            return None
        try:
            return await asyncio.wait_for(client.queue_load(), PROBE_TIMEOUT_S)
        except (ComfyConnectionError, ComfyTimeoutError, TimeoutError):
            return None
        except (ComfyHTTPStatusError, ComfyProtocolError):
            self._sick_until[client.base_url] = self._clock() + SICK_FOR_S
            return None

    async def loads(self) -> dict[str, int | None]:
        """Current load per server URL (None: unreachable)."""
        probes = await asyncio.gather(*(self._probe(client) for client in self.clients))
        return {
            client.base_url: None if load is None else load + self._in_flight[client.base_url]
            for client, load in zip(self.clients, probes, strict=True)
        }

    async def pick(self, exclude: frozenset[str] = frozenset()) -> ComfyClient:
        """The least-loaded reachable server (ties: the order given).

        Raises:
            ComfyConnectionError: no server answered.
        """
        loads = await self.loads()
        reachable = [
            (load, index, client)
            for index, client in enumerate(self.clients)
            if (load := loads[client.base_url]) is not None and client.base_url not in exclude
        ]
        if not reachable:
            raise self.none_reachable()
        return min(reachable, key=lambda entry: (entry[0], entry[1]))[2]

    def none_reachable(self) -> ComfyConnectionError:
        """The error when no server of the pool answers (those answering errors are marked so)."""
        urls = ", ".join(
            c.base_url + (" (answering errors)" if self.is_sick(c.base_url) else "") for c in self.clients
        )
        return ComfyConnectionError(f"no ComfyUI server is reachable ({urls}); start one or fix --server")

    def client(self, url: str) -> ComfyClient:
        """The client of one server of the pool."""
        for client in self.clients:
            if client.base_url == url.rstrip("/"):
                return client
        raise KeyError(url)

    async def catalog(self, url: str | None = None) -> Catalog:
        """The catalog of `url` (default: the least-loaded reachable server), fetched once per server."""
        client = self.client(url) if url is not None else await self.pick()
        if client.base_url not in self._catalogs:
            self._catalogs[client.base_url] = Catalog.from_object_info(await client.object_info())
        return self._catalogs[client.base_url]

    def forget_catalog(self, url: str) -> None:
        """Drop a cached catalog (e.g. after models were added to that server)."""
        self._catalogs.pop(url.rstrip("/"), None)

    async def run_prompt(
        self,
        prompt: dict[str, Any],
        *,
        inputs: Mapping[str, Path] | None,
        out_dir: Path,
        timeout: float,
        on_event: Callable[[Event], None] | None = None,
        workflow: Mapping[str, Any] | None = None,
    ) -> JobResult:
        """Run a job on the least-loaded server; if that server dies or is sick, retry on another one."""
        failed: set[str] = set()
        while True:
            client = await self.pick(frozenset(failed))
            self._in_flight[client.base_url] += 1
            try:
                catalog = await self.catalog(client.base_url)
                result = await run_prompt(
                    client,
                    prompt,
                    inputs=inputs,
                    out_dir=out_dir,
                    timeout=timeout,
                    on_event=on_event,
                    catalog=catalog,
                    workflow=workflow,
                )
            except (ComfyConnectionError, ComfyHTTPStatusError, ComfyProtocolError) as exc:
                if not _server_fault(exc):
                    raise
                if not isinstance(exc, ComfyConnectionError):
                    self._sick_until[client.base_url] = self._clock() + SICK_FOR_S
                failed.add(client.base_url)
                if len(failed) == len(self.clients):
                    raise
                continue
            finally:
                self._in_flight[client.base_url] -= 1
            return result.model_copy(update={"raw": {**result.raw, "server": client.base_url}})


def _server_fault(error: ComfyError) -> bool:
    """Whether a job failed because of the server, not the prompt: connection loss, 5xx, not JSON.

    A prompt's own fault (a 4xx) would be refused by every other server too.
    """
    if isinstance(error, ComfyHTTPStatusError):
        return error.status >= 500
    return True
