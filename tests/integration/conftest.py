"""Integration fixtures: the real managed local CPU ComfyUI, started once per test session.

`comfy_server` reuses a running managed server (e.g. from `anysym comfy serve`) or starts one and stops
only what it started. It fails, never skips, when the local ComfyUI is not installed.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from anysym.executor.client import ComfyClient
from anysym.executor.events import Event
from anysym.executor.job import JobResult, run_prompt
from anysym.language.catalog import Catalog
from anysym.language.comfy_format import to_api
from anysym.language.flow import Flow
from anysym.language.syntax import Syntax, parse
from anysym.language.ui_export import to_ui
from anysym.services.comfy.server import LocalComfy
from anysym.settings import Paths

START_TIMEOUT_S = 180.0
INTEGRATION_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test under tests/integration as `integration`."""
    for item in items:
        if INTEGRATION_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.integration)


@dataclass(frozen=True, kw_only=True)
class ComfyServer:
    """A live local ComfyUI: its base URL, its input/output directories and its manager."""

    url: str
    input_dir: Path
    output_dir: Path
    local: LocalComfy


def local_comfy(port: int | None = None) -> LocalComfy:
    """The managed local ComfyUI of this machine's anysym home (`$ANYSYM_HOME`), failing if not installed."""
    paths = Paths.from_env(os.environ)
    local = LocalComfy(paths) if port is None else LocalComfy(paths, port=port)
    if not local.is_installed:
        pytest.fail(
            f"the local ComfyUI is not installed in {local.home}: run ./scripts/setup.sh "
            "(or `anysym comfy install`)",
            pytrace=False,
        )
    return local


@pytest.fixture(scope="session")
def comfy_server() -> Iterator[ComfyServer]:
    """The shared real ComfyUI (never kill it in a test: start a second one on another port)."""
    local = local_comfy()
    started_here = not local.status().running
    local.serve(timeout=START_TIMEOUT_S)
    try:
        yield ComfyServer(url=local.url, input_dir=local.input_dir, output_dir=local.output_dir, local=local)
    finally:
        if started_here:
            local.stop()


@pytest.fixture(scope="session")
def comfy_catalog(comfy_server: ComfyServer) -> Catalog:
    """The catalog of the live server, pulled from its /object_info."""
    response = httpx.get(f"{comfy_server.url}/object_info", timeout=60.0)
    response.raise_for_status()
    return Catalog.from_object_info(response.json())


RunFlow = Callable[..., Awaitable[JobResult]]


@pytest.fixture
def run_flow(comfy_server: ComfyServer, comfy_catalog: Catalog, tmp_path: Path) -> RunFlow:
    """Run an A-Language program (default: declarative syntax) on the shared server; outputs in tmp_path."""

    async def run(
        text: str,
        *,
        inputs: Mapping[str, Path] | None = None,
        timeout: float = 120.0,
        syntax: Syntax = "declarative",
        on_event: Callable[[Event], None] | None = None,
    ) -> JobResult:
        prompt = to_api(parse(text, syntax), comfy_catalog)
        async with httpx.AsyncClient() as http:
            client = ComfyClient(comfy_server.url, http=http)
            return await run_prompt(
                client, prompt, inputs=inputs, out_dir=tmp_path / "out", timeout=timeout, on_event=on_event
            )

    return run


async def saved_png(flow: Flow, server: ComfyServer, catalog: Catalog, out_dir: Path) -> Path:
    """Run `flow` on the shared server with its UI workflow attached; return the PNG ComfyUI saved."""
    async with httpx.AsyncClient() as http:
        job = await run_prompt(
            ComfyClient(server.url, http=http),
            to_api(flow, catalog),
            inputs=None,
            out_dir=out_dir,
            timeout=120.0,
            workflow=to_ui(flow, catalog),
        )
    assert job.success, job.diagnostics
    [png] = [Path(o.path) for o in job.outputs if str(o.path).endswith(".png")]
    return png
