"""`anysym run`, `anysym resume`, `anysym rerun`: the inference engine from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from anysym.cli.bench_group import bench_app
from anysym.cli.common import (
    SetOption,
    checkpoints_from_env,
    console,
    context_sets,
    err_console,
    fail,
    judge_key_from_env,
    llm_from_env,
    paths_from_env,
    quiet_logging,
    reporting_errors,
    retrieval_from_env,
)
from anysym.cli.run_report import configure_logging, finish

SyntaxOption = Annotated[str, typer.Option("--syntax", help="declarative, dataflow or pseudo.")]
CheckpointsOption = Annotated[
    str | None,
    typer.Option(
        "--checkpoints",
        help="PostgreSQL URL for the checkpoints (default: ANYSYM_CHECKPOINTS_URL, else SQLite in the run).",
    ),
]


RUN_FLAGS = {
    "syntax": "--syntax",
    "k": "--k",
    "candidates": "--candidates",
    "max_refinements": "--max-refinements",
    "one_step": "--one-step",
    "refine": "--no-refine",
    "verify": "--no-verify",
    "execute": "--dry-run",
    "review": "--review",
    "constrained": "--constrained/--free",
    "execute_timeout_s": "--timeout",
    "model": "--model",
    "base_url": "--base-url",
}
"""The engine options `run` has its own flag for (`--set` names the flag instead)."""


def run(
    task: Annotated[str, typer.Argument(help="The task in natural language.")],
    inputs: Annotated[
        list[Path] | None, typer.Option("--input", "-i", help="An input file (repeatable).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Run directory (default: a new one in runs/).")
    ] = None,
    syntax: SyntaxOption = "declarative",
    servers: Annotated[list[str] | None, typer.Option("--server", help="ComfyUI base URL.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Stop after a valid compile.")] = False,
    review: Annotated[bool, typer.Option("--review", help="Pause before execution to edit.")] = False,
    keys: Annotated[list[str] | None, typer.Option("--key", help='Pinned function, e.g. T(p="v").')] = None,
    model: Annotated[str | None, typer.Option("--model", help="Chat model name.")] = None,
    base_url: Annotated[str | None, typer.Option("--base-url", help="OpenAI-compatible URL.")] = None,
    one_step: Annotated[bool, typer.Option("--one-step", help="Ablation: one LLM call.")] = False,
    no_refine: Annotated[bool, typer.Option("--no-refine", help="Ablation: no refinement.")] = False,
    no_verify: Annotated[
        bool, typer.Option("--no-verify", help="Ablation: do not check the outputs against the task.")
    ] = False,
    judge_model: Annotated[
        str | None, typer.Option("--judge-model", help="Vision model that judges the outputs (optional).")
    ] = None,
    judge_base_url: Annotated[
        str | None,
        typer.Option(
            "--judge-base-url", help="OpenAI-compatible URL of the judge (key: $ANYSYM_JUDGE_API_KEY)."
        ),
    ] = None,
    max_refinements: Annotated[int, typer.Option("--max-refinements", min=0)] = 3,
    k: Annotated[int, typer.Option("--k", min=0, help="Reference programs to retrieve.")] = 3,
    candidates: Annotated[
        int,
        typer.Option(
            "--candidates",
            min=1,
            max=99,
            help="Answers sampled at most per functions step; the best by the task's static facts is used.",
        ),
    ] = 3,
    constrained: Annotated[
        bool | None,
        typer.Option(
            "--constrained/--free",
            help="Grammar-constrained decoding (default: on when the endpoint is detected to support it).",
        ),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", min=1, help="Seconds one ComfyUI execution may take.")
    ] = 600.0,
    llm_timeout: Annotated[
        float | None,
        typer.Option(
            "--llm-timeout",
            min=1,
            help="Seconds an LLM request may take in all before a retry (120; >= 900 on the local LLM).",
        ),
    ] = None,
    llm_retries: Annotated[
        int | None, typer.Option("--llm-retries", min=0, help="Retries of a failed LLM request (default 3).")
    ] = None,
    checkpoints: CheckpointsOption = None,
    sets: SetOption = None,
    log_json: Annotated[bool, typer.Option("--log-json", help="Log JSON lines to stderr.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Generate a flow for TASK, run it on ComfyUI and repair it until it produces outputs."""
    import asyncio

    from anysym.graph.api import agenerate

    configure_logging(log_json=log_json, verbose=verbose)
    if syntax not in ("declarative", "dataflow", "pseudo"):
        fail(f"unknown syntax {syntax!r}; choose declarative, dataflow or pseudo")
    engine_options = context_sets(sets, own_flags=RUN_FLAGS)
    with reporting_errors():
        settings = llm_from_env(
            model=model, base_url=base_url, timeout_s=llm_timeout, max_retries=llm_retries
        )
        if not settings.is_configured:
            err_console.print(
                "no LLM endpoint configured (--base-url or ANYSYM_LLM_BASE_URL): using the managed local LLM"
            )
        judge = None
        if judge_model or judge_base_url:
            from anysym.verify.judge import JudgeConfig

            if not (judge_model and judge_base_url):
                fail("give both --judge-model and --judge-base-url to use a vision judge")
            key = judge_key_from_env()
            judge = JudgeConfig(base_url=judge_base_url or "", model=judge_model or "", api_key=key)
        result = asyncio.run(
            agenerate(
                task,
                inputs or [],
                key_functions=keys or [],
                syntax=syntax,
                k=k,
                candidates=candidates,
                max_refinements=max_refinements,
                one_step=one_step,
                refine=not no_refine,
                verify=not no_verify,
                judge=judge,
                execute=not dry_run,
                review=review,
                constrained=constrained,
                execute_timeout_s=timeout,
                model=model,
                base_url=base_url,
                servers=servers,
                run_dir=out,
                paths=paths_from_env(),
                llm_settings=settings,
                retrieval=retrieval_from_env(),
                checkpoint_url=checkpoints_from_env(checkpoints),
                **engine_options,
            )
        )
    finish(result)


def resume(
    run_id: Annotated[str, typer.Argument(help="Run id (or run directory) printed by `anysym run`.")],
    checkpoints: CheckpointsOption = None,
    log_json: Annotated[bool, typer.Option("--log-json")] = False,
) -> None:
    """Continue a run paused for review (with the edited review file) or interrupted by a crash."""
    import asyncio

    from anysym.graph.api import aresume
    from anysym.graph.artifacts import RunDir
    from anysym.graph.runs import find_run_dir

    configure_logging(log_json=log_json, verbose=False)
    with reporting_errors():
        paths = paths_from_env()
        run_dir = find_run_dir(paths.runs, run_id)
        ended = RunDir(run_dir).finished_result()
        if ended is not None:
            err_console.print(
                f"run {escape(run_dir.name)} already ended ({ended.status}); nothing to resume "
                f"(`anysym rerun {escape(run_dir.name)}` executes its flow again)",
                soft_wrap=True,
            )
        result = ended or asyncio.run(
            aresume(
                run_dir,
                paths=paths,
                llm_settings=llm_from_env(),
                retrieval=retrieval_from_env(),
                checkpoint_url=checkpoints_from_env(checkpoints),
            )
        )
    finish(result)


def rerun(
    run_dir: Annotated[str, typer.Argument(help="Run id or run directory.")],
    edit: Annotated[Path | None, typer.Option("--edit", help="Edited flow file (any syntax).")] = None,
    checkpoints: CheckpointsOption = None,
    log_json: Annotated[bool, typer.Option("--log-json")] = False,
) -> None:
    """Execute a run's final flow (or an edited one) again, without new inference."""
    import asyncio

    from anysym.graph.api import arerun
    from anysym.graph.runs import find_run_dir

    configure_logging(log_json=log_json, verbose=False)
    with reporting_errors():
        paths = paths_from_env()
        found = find_run_dir(paths.runs, run_dir)
        url = checkpoints_from_env(checkpoints)
        result = asyncio.run(
            arerun(found, edit=edit, paths=paths, llm_settings=llm_from_env(), checkpoint_url=url)
        )
    finish(result)


def bench_engine(
    tasks: Annotated[int, typer.Option("--tasks", min=3, help="Timed tasks.")] = 30,
    functions: Annotated[int, typer.Option("--functions", min=3, help="Functions in the flow.")] = 20,
    syntax: SyntaxOption = "declarative",
    artifacts: Annotated[bool, typer.Option("--artifacts", help="Also write run dirs + SQLite.")] = False,
) -> None:
    """Measure the engine's own overhead per task (scripted LLM and ComfyUI) and prompt tokens per stage."""
    from anysym.bench.engine_bench import run_engine_bench

    quiet_logging()
    report = run_engine_bench(tasks=tasks, functions=functions, syntax=syntax, artifacts=artifacts)  # type: ignore[arg-type]
    console.print(report.render(), highlight=False)


def register(app: typer.Typer) -> None:
    """Add `run`, `resume` and `rerun` to the CLI."""
    app.command("run")(run)
    app.command("resume")(resume)
    app.command("rerun")(rerun)
    bench_app.command("engine")(bench_engine)
