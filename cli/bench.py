"""`anysym bench`: run a task suite through the engine and report pass@1 per stage, cost and time."""

from __future__ import annotations

import importlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from anysym.cli.bench_group import SUITE_COMMAND, bench_app
from anysym.cli.common import (
    SetOption,
    console,
    context_sets,
    fail,
    judge_key_from_env,
    llm_from_env,
    paths_from_env,
    quiet_logging,
    reporting_errors,
    retrieval_from_env,
)

SUITE_DIR = Path(__file__).resolve().parents[1] / "bench" / "suites"


def register(app: typer.Typer) -> None:
    """Add the `bench` group to the app, with the suite benchmark as its default command."""
    bench_app.command(SUITE_COMMAND)(bench)
    app.add_typer(bench_app, name="bench")


def bench(
    suite: Annotated[
        str,
        typer.Argument(
            help="Suite JSON path, a shipped suite name (cpu, fresh, unseen, heldout, any2any) or a "
            "ComfyBench file."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="Results directory (resumes what is already there).")],
    model: Annotated[
        str | None, typer.Option(help="Chat model name (default: the managed local LLM).")
    ] = None,
    base_url: Annotated[str | None, typer.Option(help="OpenAI-compatible endpoint of the model.")] = None,
    llm_timeout: Annotated[
        float | None,
        typer.Option(min=1, help="Seconds per LLM request before a retry (default 120; slow CPU: raise it)."),
    ] = None,
    llm_retries: Annotated[
        int | None, typer.Option("--llm-retries", min=0, help="Retries of a failed LLM request (default 3).")
    ] = None,
    syntax: Annotated[
        str, typer.Option(help="A-Language syntax: declarative, dataflow or pseudo.")
    ] = "declarative",
    one_step: Annotated[
        bool, typer.Option("--one-step", help="Infer functions and links in one call.")
    ] = False,
    no_refine: Annotated[bool, typer.Option("--no-refine", help="Switch the refinement loop off.")] = False,
    decoding: Annotated[
        str,
        typer.Option(
            help="auto (grammar-constrained when the endpoint honours grammars), constrained or free."
        ),
    ] = "auto",
    runs: Annotated[int, typer.Option(min=1, help="Runs per task (pass@1 is their mean).")] = 1,
    concurrency: Annotated[int, typer.Option(min=1, help="Tasks in flight at once.")] = 1,
    server: Annotated[list[str] | None, typer.Option("--server", help="ComfyUI URL (repeatable).")] = None,
    variants: Annotated[
        str | None,
        typer.Option(
            help="Side-by-side configurations: 'syntaxes', 'ablation', 'decoding', 'grid' or "
            "'dataflow+one-step,pseudo+free'."
        ),
    ] = None,
    tasks: Annotated[
        str | None, typer.Option("--tasks", help="Only these task ids (comma-separated).")
    ] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="Only the first N (selected) tasks.")] = None,
    retry_errors: Annotated[
        bool,
        typer.Option("--retry-errors", help="On resume, redo runs whose engine raised (service failures)."),
    ] = False,
    inputs: Annotated[
        Path | None,
        typer.Option(help="Directory with the tasks' input files (default: OUT/inputs, generated)."),
    ] = None,
    comfybench: Annotated[
        bool, typer.Option("--comfybench", help="Read SUITE in ComfyBench's instruction format.")
    ] = False,
    no_execute: Annotated[
        bool, typer.Option("--no-execute", help="Stop after validation (compile/valid rates only).")
    ] = False,
    key_functions: Annotated[
        bool, typer.Option("--key-functions", help="Give the engine the tasks' key function types.")
    ] = False,
    judge_model: Annotated[
        str | None, typer.Option(help="Vision model for the optional resolve judge.")
    ] = None,
    judge_base_url: Annotated[
        str | None, typer.Option(help="OpenAI-compatible endpoint of the judge.")
    ] = None,
    sets: SetOption = None,
) -> None:
    """Benchmark the engine on a suite: stage pass rates, attempts, LLM calls, tokens and time split."""
    import asyncio

    from anysym.bench.engine import EngineConfig, EngineRunner
    from anysym.bench.harness import BenchRun
    from anysym.bench.judge import VLMJudge
    from anysym.bench.report import print_summary, write_reports
    from anysym.bench.summary import summarise
    from anysym.bench.variants import DECODINGS, SYNTAX_NAMES, Variant, parse_variants

    if syntax not in SYNTAX_NAMES:
        fail(f"unknown syntax {syntax!r}; choose one of {', '.join(SYNTAX_NAMES)}")
    # One progress line per finished run is the output; the engine's per-node events only on warnings.
    quiet_logging()
    chosen = next((d for d in DECODINGS if d == decoding), None)
    if chosen is None:
        fail(f"unknown decoding {decoding!r}; choose one of {', '.join(DECODINGS)}")
    if bool(judge_model) != bool(judge_base_url):
        fail("the judge needs both --judge-model and --judge-base-url")
    with reporting_errors():
        loaded = _load(suite, comfybench)
        inputs_dir = inputs or out / "inputs"
        _ensure_inputs(loaded, inputs_dir, generated=inputs is None)
        plan = BenchRun(
            suite=loaded,
            variants=parse_variants(
                variants,
                Variant(syntax=syntax, one_step=one_step, refine=not no_refine, decoding=chosen or "auto"),
            ),
            out_dir=out,
            inputs_dir=inputs_dir,
            runs=runs,
            concurrency=concurrency,
            limit=limit,
            task_ids=[t.strip() for t in (tasks or "").split(",") if t.strip()],
            retry_errors=retry_errors,
        )
        config = EngineConfig(
            model=model,
            base_url=base_url,
            servers=tuple(server or ()),
            runs_dir=out / "runs",
            execute=not no_execute,
            use_key_functions=key_functions,
            paths=paths_from_env(),
            llm_settings=llm_from_env(
                model=model, base_url=base_url, timeout_s=llm_timeout, max_retries=llm_retries
            ),
            retrieval=retrieval_from_env(),
            context_options=context_sets(sets, own_flags={}),
        )
        judge = None
        if judge_model and judge_base_url:
            api_key = judge_key_from_env()
            judge = VLMJudge(model=judge_model, base_url=judge_base_url, api_key=api_key)
        settings: dict[str, Any] = {
            "suite": str(loaded.source or suite),
            "model": model or "managed local LLM",
            "base_url": base_url or "",
            "servers": ", ".join(server or []) or "managed local ComfyUI",
            "variants": ", ".join(v.name for v in plan.variants),
            "tasks": ", ".join(t.id for t in plan.tasks()),
            "llm_timeout_s": config.llm_settings.timeout_s if config.llm_settings else "",
            "llm_retries": config.llm_settings.max_retries if config.llm_settings else "",
            "runs": runs,
            "execute": not no_execute,
            "key_functions": key_functions,
            "judge_model": judge_model or "not judged",
            "judge_prompt": judge.prompt if judge else "",
            "set": ", ".join(f"{name}={value}" for name, value in config.context_options.items()),
            "finished": "",
        }

        def progress(record: Any, resumed: bool) -> None:
            mark = "resumed" if resumed else f"{record.wall_s:6.1f}s"
            run = escape(f"{record.variant} {record.task_id}#{record.run}")
            # one line per run even where the console is a log file 80 columns wide
            console.print(f"[dim]{mark}[/] {run}: [bold]{record.stage}[/]", soft_wrap=True)

        records = asyncio.run(_run(plan, EngineRunner(config), judge, progress))
        settings["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
        summary = summarise(records, suite=loaded.name, config=settings)
        paths = write_reports(summary, records, out)
        (out / "bench.json").write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    print_summary(summary, console)
    for path in paths:
        console.print(f"wrote {path}")


async def _run(plan: Any, runner: Any, judge: Any, progress: Any) -> Any:
    from anysym.bench.harness import pending_runs, run_bench

    try:
        if not pending_runs(plan):  # everything resumed: start no LLM, ComfyUI or index
            return await run_bench(plan, runner, judge=judge, on_record=progress)
        async with runner.session(plan.variants):
            return await run_bench(plan, runner, judge=judge, on_record=progress)
    finally:
        if judge is not None:
            await judge.aclose()


def _load(name: str, comfybench: bool) -> Any:
    from anysym.bench.suites import load_comfybench, load_suite

    path = Path(name)
    if not path.exists() and (SUITE_DIR / f"{name}.json").is_file():
        path = SUITE_DIR / f"{name}.json"
    if comfybench or _looks_like_comfybench(path):
        return load_comfybench(path)
    return load_suite(path)


def _looks_like_comfybench(path: Path) -> bool:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    entries = list(data.values()) if isinstance(data, dict) and "tasks" not in data else data
    return (
        isinstance(entries, list)
        and bool(entries)
        and all(isinstance(e, dict) and "instruction" in e and "modality" in e for e in entries)
    )


def _ensure_inputs(suite: Any, inputs_dir: Path, *, generated: bool) -> None:
    needed = {name for task in suite.tasks for name in task.inputs}
    if all((inputs_dir / name).is_file() for name in needed):
        return
    if suite.inputs_generator and generated:
        importlib.import_module(suite.inputs_generator).make_inputs(inputs_dir)
        return
    missing = sorted(name for name in needed if not (inputs_dir / name).is_file())
    fail(
        f"input files missing in {inputs_dir}: {', '.join(missing[:5])}; pass --inputs DIR with the resources"
    )
