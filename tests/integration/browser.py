"""A headless Chromium from the OS packages, driven over the DevTools protocol (one page, no Playwright).

Used by the integration tests that load anysym's workflows into the real ComfyUI web frontend. The
browser gets its own profile directory and a debugging port it picks itself (read back from the
profile's `DevToolsActivePort`), so tests never collide on a port.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
from websockets.sync.client import ClientConnection, connect

__all__ = ["Browser", "BrowserError", "chromium_path"]

_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_START_S = 30.0


class BrowserError(RuntimeError):
    """The browser did not start, or a page script threw."""


def chromium_path() -> str | None:
    """The first Chromium-family browser on PATH (Debian's package installs `chromium`)."""
    return next((found for name in _CANDIDATES if (found := shutil.which(name))), None)


class Browser:
    """One headless browser with one page; `evaluate` runs JavaScript there and returns its value."""

    def __init__(self, executable: str, profile: Path) -> None:
        profile.mkdir(parents=True, exist_ok=True)
        self._process = subprocess.Popen(
            [
                executable,
                "--headless=new",
                "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
                "--disable-gpu",
                "--no-first-run",
                "--window-size=1600,1000",
                f"--user-data-dir={profile}",
                "--remote-debugging-port=0",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._ids = itertools.count(1)
        self._stack = contextlib.ExitStack()
        try:
            socket = connect(self._page_socket(profile), max_size=None, open_timeout=_START_S)
            self._socket: ClientConnection = self._stack.enter_context(socket)
        except BaseException:
            self.close()
            raise

    def _page_socket(self, profile: Path) -> str:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + _START_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise BrowserError(f"the browser exited at start (code {self._process.returncode})")
            if port_file.is_file() and (lines := port_file.read_text().split()):
                pages = httpx.get(f"http://127.0.0.1:{lines[0]}/json/list", timeout=10).json()
                found = [p["webSocketDebuggerUrl"] for p in pages if p.get("type") == "page"]
                if found:
                    return str(found[0])
            time.sleep(0.1)
        raise BrowserError(f"the browser opened no debugging port within {_START_S:g} s")

    def send(self, method: str, params: dict[str, Any] | None = None, timeout: float = 60.0) -> Any:
        """Call a DevTools method and return its result (events that arrive meanwhile are skipped)."""
        ident = next(self._ids)
        self._socket.send(json.dumps({"id": ident, "method": method, "params": params or {}}))
        deadline = time.monotonic() + timeout
        while True:
            message = json.loads(self._socket.recv(timeout=max(0.1, deadline - time.monotonic())))
            if message.get("id") != ident:
                continue
            if "error" in message:
                raise BrowserError(f"{method}: {message['error']}")
            return message["result"]

    def evaluate(self, expression: str, timeout: float = 60.0) -> Any:
        """Run `expression` in the page (awaiting a promise) and return its JSON value."""
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
            timeout=timeout,
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise BrowserError(str(details.get("exception", {}).get("description", details.get("text"))))
        return result["result"].get("value")

    def open(self, url: str, ready: str, timeout: float = 60.0) -> None:
        """Navigate to `url` and wait until the JavaScript condition `ready` holds."""
        self.send("Page.navigate", {"url": url})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.evaluate(f"Boolean({ready})"):
                    return
            except BrowserError:
                pass  # the page is between documents
            time.sleep(0.2)
        raise BrowserError(f"{url} was not ready ({ready}) within {timeout:g} s")

    def screenshot(self, path: Path) -> Path:
        """Save a PNG of the page."""
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        """Close the page's socket and stop the browser."""
        self._stack.close()
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
