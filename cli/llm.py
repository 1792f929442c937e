"""`anysym llm install|serve|status|stop` (the managed llama-server), `bench llm` and `bench main-job`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from anysym.cli.bench_group import bench_app
from anysym.cli.common import console, err_console, paths_from_env, reporting_errors
from anysym.services.llm.flags import ServerTuning
from anysym.services.llm.models import DEFAULT_MODEL, MODELS
from anysym.settings import LLM_PORT

if TYPE_CHECKING:
    from anysym.services.llm.server import LocalLLM

llm_app = typer.Typer(name="llm", help="The managed local LLM (offline default).", no_args_is_help=True)

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
"""The README's example inputs (shipped inside the package)."""

ModelOption = Annotated[
    str, typer.Option("--model", help=f"Local model: {', '.join(MODELS)}.", show_default=True)
]
PortOption = Annotated[int, typer.Option("--port", help="Port on 127.0.0.1.")]


def _local(model: str = DEFAULT_MODEL, port: int = LLM_PORT, tuning: ServerTuning | None = None) -> LocalLLM:
    from anysym.services.llm.server import LocalLLM

    if model not in MODELS:
        raise typer.BadParameter(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")
    return LocalLLM(paths_from_env(), model=model, port=port, tuning=tuning)


def _progress(message: str) -> None:
    err_console.print(f"[cyan]==>[/] {escape(message)}", highlight=False)


@llm_app.command("install")
def install(
    model: ModelOption = DEFAULT_MODEL,
    force: Annotated[bool, typer.Option("--force", help="Rebuild the runtime and the model file.")] = False,
) -> None:
    """Build llama-server natively from the pinned source and assemble the hash-pinned model (idempotent)."""
    with reporting_errors():
        _local(model).install(_progress, force=force)


@llm_app.command("serve")
def serve(
    model: ModelOption = DEFAULT_MODEL,
    port: PortOption = LLM_PORT,
    timeout: Annotated[float, typer.Option(help="Seconds to wait until it answers.")] = 120.0,
) -> None:
    """Start the local LLM in the background (after checking the model hash) and print its URL."""
    with reporting_errors():
        local = _local(model, port)
        was_running = local.status().running
        url = local.serve(timeout=timeout)
        _progress(("already running at " if was_running else "serving at ") + url + f"; log {local.log_path}")
    console.print(url)


@llm_app.command("status")
def status(
    port: PortOption = LLM_PORT,
    model: ModelOption = DEFAULT_MODEL,
    measure: Annotated[bool, typer.Option(help="Time a short completion to report tokens/s.")] = True,
) -> None:
    """Say whether the local LLM is installed and running, its memory and speed (exit 1 when stopped)."""
    with reporting_errors():
        state = _local(model, port).status(measure=measure)
    console.print(state.render(), highlight=False)
    if not state.running:
        raise typer.Exit(1)


@llm_app.command("stop")
def stop(port: PortOption = LLM_PORT) -> None:
    """Stop the local LLM started by `serve` (by its pid)."""
    with reporting_errors():
        stopped = _local(port=port).stop()
    console.print("stopped" if stopped else "not running")


def bench_llm(
    model: ModelOption = DEFAULT_MODEL,
    port: Annotated[int, typer.Option("--port", help="Port of the benchmark's own server.")] = 8766,
    runs: Annotated[int, typer.Option(min=1, help="Timed requests idle and again under load.")] = 3,
    constrained: Annotated[
        int, typer.Option(min=0, help="Grammar-constrained requests before the RSS reading.")
    ] = 10,
    tuning: Annotated[
        str, typer.Option(help="Server setting overrides, e.g. 'poll=50,flash_attn=on,ubatch=256'.")
    ] = "",
    out: Annotated[Path | None, typer.Option("-o", "--out", help="Also write the report as JSON.")] = None,
) -> None:
    """Local LLM speed: prompt and generation tokens/s idle and beside a busy CPU, llama-bench, RSS."""
    from anysym.bench.llm_bench import parse_tuning, render_report, run_llm_bench

    with reporting_errors():
        local = _local(model, port, parse_tuning(tuning))
        report = run_llm_bench(local, runs=runs, constrained=constrained, progress=_progress)
    console.print(render_report(report), highlight=False)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report.to_json(), indent=1) + "\n", encoding="utf-8")


def bench_main_job(
    model: ModelOption = DEFAULT_MODEL,
    warm: Annotated[int, typer.Option(min=1, help="Warm runs (services already running).")] = 3,
    cold: Annotated[bool, typer.Option(help="Time a cold run first (stops the managed services).")] = True,
    task: Annotated[str, typer.Option(help="The task (default: the README's main job).")] = "",
    inputs: Annotated[
        list[Path] | None, typer.Option("--input", "-i", help="Input file (default: examples/photo.png).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("-o", "--out", help="Directory for the runs and report.json.")
    ] = None,
) -> None:
    """Time the README's main job as a user runs it (`anysym run` in a child process), cold and warm."""
    import sys
    import tempfile

    from anysym.bench.main_job_bench import MAIN_JOB_TASK, run_main_job_bench

    root = out or Path(tempfile.mkdtemp(prefix="anysym-main-job-"))
    with reporting_errors():
        report = run_main_job_bench(
            paths_from_env(),
            command=[sys.executable, "-c", "from anysym.cli import main; main()"],
            model=_local(model).spec.alias,
            inputs=inputs or [EXAMPLES / "photo.png"],
            out_root=root,
            task=task or MAIN_JOB_TASK,
            warm=warm,
            cold=cold,
            progress=_progress,
        )
        root.mkdir(parents=True, exist_ok=True)
        (root / "report.json").write_text(json.dumps(report.to_json(), indent=1) + "\n", encoding="utf-8")
    console.print(report.render(), highlight=False)
    console.print(f"runs and report.json in {escape(str(root))}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the `llm` command group, `bench llm` and `bench main-job`."""
    app.add_typer(llm_app)
    bench_app.command("llm")(bench_llm)
    bench_app.command("main-job")(bench_main_job)
