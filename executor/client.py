"""ComfyClient: an async ComfyUI client on an injected `httpx.AsyncClient` plus a websocket event stream.

Tolerates the 2024 local server and current upstream ComfyUI: the route prefix (`/api` or none) is
detected once; a client-chosen `prompt_id` is sent but only the id the server answers with is used;
completion is `executing{node: null}`, `execution_success`, or a finished `/history` entry.

**Usage**::

    async with httpx.AsyncClient() as http:
        client = ComfyClient("http://127.0.0.1:8188", http=http)
        async with client.events() as stream:
            prompt_id = await client.queue(prompt)
            entry = await client.wait(prompt_id, timeout=60, stream=stream)
        files = await client.download_outputs(prompt_id, out_dir, entry=entry)
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal

import httpx

from anysym.errors import (
    ComfyProtocolError,
    ComfyTimeoutError,
)
from anysym.executor.events import Connector, Event, EventStream, websockets_connector
from anysym.executor.outputs import OutputFile, collect_output_items, save_output
from anysym.executor.responses import (
    decode_json,
    is_json_object,
    json_object,
    raise_for_status,
    total_deadline,
    transport_error,
    validation_error,
)
from anysym.executor.waiting import wait_for_prompt

UploadKind = Literal["image", "mask", "input_file"]

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
"""Per-request timeout of ordinary calls (connect 5 s, everything else 30 s)."""
TRANSFER_TIMEOUT = httpx.Timeout(300.0, connect=5.0)
"""Uploads, downloads and /object_info may move megabytes."""


class ComfyClient:
    """One ComfyUI server, reached through an injected `httpx.AsyncClient`."""

    def __init__(
        self,
        base_url: str,
        *,
        http: httpx.AsyncClient,
        client_id: str | None = None,
        connector: Connector = websockets_connector,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = http
        self.client_id = client_id or uuid.uuid4().hex
        self._connector = connector
        self._prefix: str | None = None
        self.accepts_client_prompt_id: bool | None = None
        """Whether the server kept the prompt id we sent (upstream does, the 2024 fork does not)."""

    async def _request(
        self, method: str, path: str, *, timeout: httpx.Timeout = DEFAULT_TIMEOUT, **kwargs: Any
    ) -> httpx.Response:
        url = f"{self.base_url}{await self.prefix()}{path}"
        return await self._send(method, url, timeout=timeout, **kwargs)

    async def _send(self, method: str, url: str, *, timeout: httpx.Timeout, **kwargs: Any) -> httpx.Response:
        deadline = total_deadline(timeout)
        try:
            async with asyncio.timeout(deadline):
                return await self.http.request(method, url, timeout=timeout, **kwargs)
        except TimeoutError as exc:
            raise ComfyTimeoutError(
                f"{method} {url} did not finish within {deadline or 0:g} s (the server answers too slowly)"
            ) from exc
        except httpx.HTTPError as exc:
            raise transport_error(exc, f"{method} {url}", "is ComfyUI up?") from exc

    async def prefix(self) -> str:
        """The route prefix this server uses: "" (2024 fork, also upstream) or "/api"; detected once."""
        if self._prefix is None:
            for candidate in ("", "/api"):
                url = f"{self.base_url}{candidate}/system_stats"
                response = await self._send("GET", url, timeout=DEFAULT_TIMEOUT)
                if response.status_code == 200 and is_json_object(response):
                    self._prefix = candidate
                    break
            else:
                raise ComfyProtocolError(
                    f"{self.base_url} answers but serves no /system_stats; is it a ComfyUI server?"
                )
        return self._prefix

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self._request(method, path, **kwargs)
        raise_for_status(response)
        return decode_json(response)

    async def system_stats(self) -> dict[str, Any]:
        """`GET /system_stats`: OS, Python and device information."""
        return json_object(await self._json("GET", "/system_stats"), "/system_stats")

    async def object_info(self) -> dict[str, Any]:
        """`GET /object_info`: every node type the server offers (the catalog source)."""
        return json_object(await self._json("GET", "/object_info", timeout=TRANSFER_TIMEOUT), "/object_info")

    async def queue_snapshot(self) -> tuple[list[Any], list[Any]]:
        """`GET /queue`: the running and the pending items (`[number, prompt_id, prompt, extra, outputs]`)."""
        body = json_object(await self._json("GET", "/queue"), "/queue")
        running, pending = body.get("queue_running"), body.get("queue_pending")
        if not isinstance(running, list) or not isinstance(pending, list):
            raise ComfyProtocolError("/queue has no queue_running/queue_pending lists", body=json.dumps(body))
        return running, pending

    async def queue_load(self) -> int:
        """Number of running plus pending prompts."""
        running, pending = await self.queue_snapshot()
        return len(running) + len(pending)

    async def queue_position(self, prompt_id: str) -> Literal["running", "pending"] | None:
        """Whether a prompt is running, pending, or no longer in the queue."""
        running, pending = await self.queue_snapshot()
        if any(_item_id(item) == prompt_id for item in running):
            return "running"
        if any(_item_id(item) == prompt_id for item in pending):
            return "pending"
        return None

    async def upload(
        self, path: Path, *, kind: UploadKind = "image", subfolder: str = "", name: str | None = None
    ) -> str:
        """Upload a local file to the server's input dir; return the name to use in LoadImage-style params.

        Files are stored under a content-addressed name (`<stem>_<sha12><suffix>`) so that concurrent jobs
        never overwrite each other's inputs. Masks and other files (video, audio) go through
        `/upload/image` too: it stores any bytes in the input dir (`/upload/mask` only paints alpha onto an
        image already on the server).
        """
        data = await asyncio.to_thread(path.read_bytes)  # file I/O off the event loop other runs share
        digest = hashlib.sha256(data).hexdigest()[:12]
        source = Path(name or path.name)
        server_name = f"{source.stem}_{digest}{source.suffix}"
        fields = {"type": "input", "overwrite": "true", "subfolder": subfolder}
        files = {"image": (server_name, data, "application/octet-stream")}
        del kind  # every kind uses the same endpoint; kept for callers' intent and future endpoints
        body = json_object(
            await self._json("POST", "/upload/image", data=fields, files=files, timeout=TRANSFER_TIMEOUT),
            "/upload/image",
        )
        stored = body.get("name")
        if not isinstance(stored, str) or not stored:
            raise ComfyProtocolError("/upload/image answered without a file name", body=json.dumps(body))
        folder = body.get("subfolder") or ""
        return f"{folder}/{stored}" if folder else stored

    async def queue(self, prompt: dict[str, Any], *, workflow: Mapping[str, Any] | None = None) -> str:
        """`POST /prompt`; return the server's prompt id.

        `workflow` (a UI workflow of the same graph) goes in `extra_data.extra_pnginfo`, so that the
        images ComfyUI saves carry it and reopen in its editor.

        Raises:
            ComfyValidationError: HTTP 400, with Diagnostics addressed to function ids.
        """
        wanted = str(uuid.uuid4())
        payload: dict[str, Any] = {"prompt": prompt, "client_id": self.client_id, "prompt_id": wanted}
        if workflow is not None:
            payload["extra_data"] = {"extra_pnginfo": {"workflow": workflow}}
        response = await self._request("POST", "/prompt", json=payload)
        if response.status_code == 400:
            raise validation_error(response)
        raise_for_status(response)
        body = json_object(decode_json(response), "/prompt")
        prompt_id = body.get("prompt_id")
        if not isinstance(prompt_id, str) or not prompt_id:
            raise ComfyProtocolError("/prompt answered without a prompt_id", body=response.text[:2000])
        self.accepts_client_prompt_id = prompt_id == wanted
        return prompt_id

    def events(self) -> EventStream:
        """A websocket event stream for this client id; open it (`async with`) BEFORE `queue`."""
        scheme_url = "ws" + self.base_url.removeprefix("http")
        prefix = self._prefix if self._prefix is not None else ""
        return EventStream(f"{scheme_url}{prefix}/ws?clientId={self.client_id}", self._connector)

    async def history(self, prompt_id: str) -> dict[str, Any] | None:
        """The `/history/{id}` entry, or None while it is unknown or still running."""
        body = json_object(await self._json("GET", f"/history/{prompt_id}"), "/history")
        entry = body.get(prompt_id)
        return entry if isinstance(entry, dict) else None

    async def wait(
        self,
        prompt_id: str,
        timeout: float,
        *,
        stream: EventStream | None = None,
        on_event: Callable[[Event], None] | None = None,
    ) -> dict[str, Any]:
        """Wait until the prompt finished (success or error) and return its history entry.

        On timeout, `/interrupt` is sent and the prompt is removed from the queue before
        `ComfyTimeoutError` is raised.
        """
        return await wait_for_prompt(self, prompt_id, timeout, stream=stream, on_event=on_event)

    async def interrupt(self, prompt_id: str | None = None) -> None:
        """`POST /interrupt` (targeted at `prompt_id` on servers that support it, else global)."""
        body = {"prompt_id": prompt_id} if prompt_id else {}
        raise_for_status(await self._request("POST", "/interrupt", json=body))

    async def delete_from_queue(self, prompt_id: str) -> None:
        """Remove a pending prompt from the queue (no effect once it runs)."""
        raise_for_status(await self._request("POST", "/queue", json={"delete": [prompt_id]}))

    async def download(self, item: dict[str, Any]) -> bytes:
        """`GET /view` of one output item (`filename`, `subfolder`, `type`)."""
        params = {
            "filename": item["filename"],
            "subfolder": item.get("subfolder") or "",
            "type": item["type"],
        }
        response = await self._request("GET", "/view", params=params, timeout=TRANSFER_TIMEOUT)
        raise_for_status(response)
        return response.content

    async def download_outputs(
        self, prompt_id: str, out_dir: Path, *, entry: dict[str, Any] | None = None
    ) -> list[OutputFile]:
        """Save every output of a finished prompt as `out_dir/<function id>/<filename>` (sanitised)."""
        entry = entry if entry is not None else await self.history(prompt_id)
        if entry is None:
            return []
        saved: list[OutputFile] = []
        for function_id, key, item in collect_output_items(entry.get("outputs")):
            content = item["text"].encode() if "text" in item else await self.download(item)
            saved.append(await asyncio.to_thread(save_output, out_dir, function_id, key, item, content))
        return saved


def _item_id(item: Any) -> str | None:
    return str(item[1]) if isinstance(item, list) and len(item) > 1 else None


@asynccontextmanager
async def connect(base_url: str, *, client_id: str | None = None) -> AsyncIterator[ComfyClient]:
    """Open a ComfyClient with its own `httpx.AsyncClient` (for CLIs and scripts)."""
    async with httpx.AsyncClient(timeout=DEFAULT_TIMEOUT) as http:
        yield ComfyClient(base_url, http=http, client_id=client_id)
