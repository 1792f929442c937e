"""`anysym execute FILE` (run a flow on ComfyUI with a progress bar), `bench executor`, `bench throughput`."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from anysym.cli.bench_group import bench_app
from anysym.cli.common import console, err_console, fail, paths_from_env, quiet_logging, reporting_errors

if TYPE_CHECKING:
    from rich.progress import Progress

    from anysym.executor.events import Event
    from anysym.executor.job import JobResult

ServerOption = Annotated[
    list[str] | None,
    typer.Option("--server", help="ComfyUI base URL; repeat for a pool (default: the managed local one)."),
]


def default_servers(servers: list[str] | None) -> list[str]:
    """The given servers, else the managed local ComfyUI (started if installed and not running)."""
    if servers:
        return servers
    from anysym.services.comfy.server import LocalComfy

    local = LocalComfy(paths_from_env())
    if not local.status().running:
        err_console.print(f"[cyan]==>[/] starting the local ComfyUI at {local.url} (log {local.log_path})")
    return [local.serve()]


def read_flow_text(text: str, catalog: Any) -> tuple[Any, dict[str, Any] | None]:
    """Read a flow (any A-Language syntax, API or UI JSON) into (Flow, the API prompt when it is one)."""
    from anysym.cli.convert import Source, detect_format, read_flow
    from anysym.language.source_text import load_json

    source = detect_format(text)
    flow = read_flow(text, source, catalog)
    if source is Source.api:
        data = load_json(text)
        return flow, dict(data["prompt"] if isinstance(data.get("prompt"), dict) else data)
    return flow, None


def parse_inputs(values: list[str] | None) -> dict[str, Path]:
    """`--input PATH` (named by its file name) or `--input NAME=PATH` (the name the flow uses)."""
    inputs: dict[str, Path] = {}
    for value in values or ():
        name, _, path = value.partition("=") if "=" in value else (Path(value).name, "", value)
        local = Path(path).expanduser()
        if not local.is_file():
            fail(f"input file {local} does not exist")
        inputs[name] = local
    return inputs


class ProgressView:
    """Turns executor events into a rich progress bar (one step per function)."""

    def __init__(self, bar: Progress, total: int) -> None:
        self.bar = bar
        self.task = bar.add_task("queued", total=total)
        self.done: set[str] = set()

    def __call__(self, event: Event) -> None:
        """Advance the bar for one event."""
        from anysym.executor.events import Executing, ExecutionCached
        from anysym.executor.events import Progress as ProgressEvent

        if isinstance(event, ExecutionCached):
            self.done.update(event.nodes)
        elif isinstance(event, Executing):
            if event.node is None:
                self.bar.update(self.task, completed=self.bar.tasks[0].total, description="finished")
                return
            self.done.add(event.node)
            self.bar.update(self.task, description=f"running {escape(event.node)}")
        elif isinstance(event, ProgressEvent) and event.max:
            self.bar.update(
                self.task, description=f"{escape(event.node or '')} {event.value:.0f}/{event.max:.0f}"
            )
        self.bar.update(self.task, completed=max(len(self.done) - 1, 0))


async def _execute(
    text: str, servers: list[str], inputs: dict[str, Path], out: Path, timeout: float, validate: bool
) -> JobResult:
    import asyncio

    import httpx
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from anysym.executor.pool import ServerPool
    from anysym.language.comfy_format import to_api
    from anysym.language.diagnostics import has_errors
    from anysym.language.validate import validate as check

    started = time.monotonic()
    async with httpx.AsyncClient() as http:
        pool = ServerPool(servers, http)
        try:
            async with asyncio.timeout(timeout):  # --timeout bounds the whole execution, the catalog too
                catalog = await pool.catalog()
        except TimeoutError:
            fail(f"the server's catalog did not arrive within --timeout {timeout:g} s; raise it")
        flow, prompt = read_flow_text(text, catalog)
        problems = check(flow, catalog) if validate else []
        for diagnostic in problems:
            err_console.print(escape(diagnostic.render()), soft_wrap=True)
        if has_errors(problems):
            fail("the flow does not validate against the server's catalog (see above; --no-validate skips)")
        prompt = prompt if prompt is not None else to_api(flow, catalog)
        workflow = _workflow_of(text, flow, catalog)
        columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"))
        with Progress(*columns, TimeElapsedColumn(), console=err_console, transient=True) as bar:
            view = ProgressView(bar, total=len(prompt))
            left = max(timeout - (time.monotonic() - started), 0.001)
            return await pool.run_prompt(
                prompt, inputs=inputs, out_dir=out, timeout=left, on_event=view, workflow=workflow
            )


def _workflow_of(text: str, flow: Any, catalog: Any) -> dict[str, Any] | None:
    """The UI workflow the saved pictures carry: the one given, else the flow laid out (None: cannot be)."""
    from anysym.cli.convert import Source, detect_format
    from anysym.errors import CompileError
    from anysym.language.source_text import load_json
    from anysym.language.ui_export import to_ui

    if detect_format(text) is Source.ui:
        data = load_json(text)
        return dict(data) if isinstance(data, dict) else None
    try:
        return to_ui(flow, catalog)
    except CompileError:
        return None


def execute(
    file: Annotated[Path, typer.Argument(help="A flow in any A-Language syntax, or ComfyUI API/UI JSON.")],
    server: ServerOption = None,
    input_: Annotated[
        list[str] | None, typer.Option("--input", help="Input file (PATH or NAME=PATH); repeatable.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Output directory (default: a new run dir).")
    ] = None,
    timeout: Annotated[
        float, typer.Option(help="Seconds the whole execution may take (catalog, uploads, run).")
    ] = 600.0,
    validate: Annotated[bool, typer.Option(help="Check the flow against the catalog first.")] = True,
) -> None:
    """Run a flow on ComfyUI: validate, upload inputs, show progress, save the outputs."""
    import asyncio

    from anysym.language.source_text import read_source

    inputs = parse_inputs(input_)
    with reporting_errors():
        # unique per invocation: concurrent runs started in the same second must not share a folder
        stamp = f"execute-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
        out_dir = out or paths_from_env().runs / stamp
        text = read_source(file)
        result = asyncio.run(_execute(text, default_servers(server), inputs, out_dir, timeout, validate))
    for diagnostic in result.diagnostics:
        err_console.print(escape(diagnostic.render()), soft_wrap=True)
    if not result.success:
        fail(f"the run failed ({len(result.diagnostics)} problem(s) above)")
    for output in result.outputs:
        console.print(
            escape(f"{output.function_id}: {output.path} ({output.kind})"), highlight=False, soft_wrap=True
        )
    seconds = result.timings.run_s
    err_console.print(
        f"[green]done[/] in {seconds:.2f} s on {escape(str(result.raw.get('server')))}; "
        f"outputs in {escape(str(out_dir))}"
    )


def bench_executor(
    server: ServerOption = None,
    runs: Annotated[int, typer.Option(help="Timed runs (the first, warm-up run is extra).")] = 20,
    out: Annotated[Path | None, typer.Option("-o", "--out", help="Also write the report as JSON.")] = None,
) -> None:
    """Executor overhead on a small model-free flow: submit->start latency and finish->outputs-saved."""
    import asyncio

    from anysym.bench.executor_bench import render_report, run_bench

    with reporting_errors():
        url = default_servers(server)[0]
        report = asyncio.run(run_bench(url, runs=runs))
    console.print(render_report(report), highlight=False)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")


def bench_throughput(
    servers: Annotated[int, typer.Option(help="Servers of the pool (measured against one).")] = 2,
    runs: Annotated[int, typer.Option(help="Engine runs in flight at once per measurement.")] = 8,
    wait: Annotated[float, typer.Option(help="Seconds each execution holds its server (GPU time).")] = 3.0,
    out: Annotated[Path | None, typer.Option("-o", "--out", help="Also write the report as JSON.")] = None,
) -> None:
    """Runs/s of the whole engine (scripted LLM) on one local ComfyUI and on a pool of them."""
    from anysym.bench.throughput_bench import render_report, run_bench

    quiet_logging()
    with reporting_errors():
        report = run_bench(
            paths_from_env(),
            servers=servers,
            runs=runs,
            wait_s=wait,
            progress=lambda line: err_console.print(f"[cyan]==>[/] {escape(line)}"),
        )
    console.print(render_report(report), highlight=False, soft_wrap=True)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report.as_json(), indent=1) + "\n", encoding="utf-8")


def register(app: typer.Typer) -> None:
    """Add `execute`, `bench executor` and `bench throughput`."""
    app.command("execute")(execute)
    bench_app.command("executor")(bench_executor)
    bench_app.command("throughput")(bench_throughput)
