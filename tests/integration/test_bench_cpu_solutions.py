"""Every task of the CPU suites (`cpu`, the held-out `fresh`, `unseen` and `heldout`) is solvable and its
check is right: the hand-written reference solution, run on the real local ComfyUI, passes the task's check,
and another task's real output fails it."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from anysym.bench.checks import run_checks
from anysym.bench.make_inputs import make_inputs
from anysym.bench.suites import Task, load_suite
from anysym.executor.outputs import SUFFIX_KINDS
from anysym.graph.result import OutputFile
from anysym.language.catalog import Catalog
from anysym.language.comfy_format import to_api
from anysym.language.syntax import parse
from anysym.task.claims import unclaimed_diagnostics
from anysym.verify.checks import check_outputs, check_static
from anysym.verify.crops import check_crop
from anysym.verify.expectations import expect

pytestmark = pytest.mark.integration

SUITES = Path(__file__).resolve().parents[2] / "bench" / "suites"
BY_SUITE = {name: load_suite(SUITES / f"{name}.json").tasks for name in ("cpu", "fresh", "unseen", "heldout")}
CASES = [(name, task) for name, tasks in BY_SUITE.items() for task in tasks]
IDS = [f"{name}-{task.id}" for name, task in CASES]


def _base_url(server: Any) -> str:
    for name in ("base_url", "url"):
        value = getattr(server, name, None)
        if value:
            return str(value).rstrip("/")
    return str(server).rstrip("/")


async def _execute(client: httpx.AsyncClient, prompt: dict[str, Any], out: Path) -> list[Path] | str:
    """Run one prompt; return the downloaded output files, or the server's complaint."""
    response = await client.post("/prompt", json={"prompt": prompt, "client_id": "anysym-bench-test"})
    if response.status_code != 200:
        return f"HTTP {response.status_code}: {response.text[:500]}"
    prompt_id = response.json()["prompt_id"]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        entry = (await client.get(f"/history/{prompt_id}")).json().get(prompt_id)
        if entry and entry.get("status", {}).get("completed") is not None:
            break
        await asyncio.sleep(0.1)
    else:
        return f"prompt {prompt_id} did not finish in 120 s"
    if entry["status"]["status_str"] != "success":
        return f"execution failed: {entry['status']}"
    files = []
    for node_id, node_output in entry["outputs"].items():
        for items in node_output.values():
            for item in items if isinstance(items, list) else []:
                if not isinstance(item, dict) or item.get("type") != "output":
                    continue
                params = {k: item.get(k, "") for k in ("filename", "subfolder", "type")}
                data = await client.get("/view", params=params)
                data.raise_for_status()
                path = out / node_id / item["filename"]  # the folder names the function (verify blames it)
                path.parent.mkdir(exist_ok=True)
                path.write_bytes(data.content)
                files.append(path)
    return files


@pytest.fixture(scope="module")
def solved(
    comfy_server: Any, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, list[Path] | str]]:
    inputs = tmp_path_factory.mktemp("bench_inputs")
    make_inputs(inputs)
    base = tmp_path_factory.mktemp("bench_outputs")

    async def run_all() -> dict[str, list[Path] | str]:
        async with httpx.AsyncClient(base_url=_base_url(comfy_server), timeout=60) as client:
            for path in sorted(inputs.iterdir()):
                files = {"image": (path.name, path.read_bytes(), "image/png")}
                upload = await client.post(
                    "/upload/image", files=files, data={"overwrite": "true", "type": "input"}
                )
                assert upload.status_code == 200, upload.text
            catalog = Catalog.from_object_info((await client.get("/object_info")).json())
            results = {}
            for name, task in CASES:
                solution = SUITES / f"{name}_solutions" / f"{task.id}.alang"
                flow = parse(solution.read_text(), "declarative")
                out = base / f"{name}-{task.id}"
                out.mkdir()
                prompt = to_api(flow, catalog, fill_defaults=False)
                results[f"{name}-{task.id}"] = await _execute(client, prompt, out)
            return results

    return inputs, asyncio.run(run_all())


@pytest.mark.parametrize(("suite", "task"), CASES, ids=IDS)
def test_reference_solution_passes_its_check(
    suite: str, task: Task, solved: tuple[Path, dict[str, list[Path] | str]]
) -> None:
    inputs, outputs = solved
    produced = outputs[f"{suite}-{task.id}"]
    assert not isinstance(produced, str), f"the reference solution did not run: {produced}"
    outcome = run_checks(task.check, produced, inputs)
    assert outcome.passed, outcome.details


@pytest.mark.parametrize(("suite", "task"), CASES, ids=IDS)
def test_other_outputs_and_unchanged_inputs_fail_the_check(
    suite: str, task: Task, solved: tuple[Path, dict[str, list[Path] | str]]
) -> None:
    inputs, outputs = solved
    tasks = BY_SUITE[suite]
    neighbour = tasks[([t.id for t in tasks].index(task.id) + 1) % len(tasks)]
    other = outputs[f"{suite}-{neighbour.id}"]
    assert not isinstance(other, str), f"{neighbour.id} did not run: {other}"
    assert not run_checks(task.check, other, inputs).passed, neighbour.id
    wrong = [inputs / name for name in task.inputs][:1] or other[:1]
    assert not run_checks(task.check, wrong, inputs).passed


@pytest.mark.parametrize(("suite", "task"), CASES, ids=IDS)
def test_verify_passes_the_reference_solution(
    suite: str, task: Task, solved: tuple[Path, dict[str, list[Path] | str]], comfy_catalog: Catalog
) -> None:
    """No false alarm: a correct flow's outputs pass every deterministic check verify makes.

    A check that fails a right flow makes search and refine "repair" it into a wrong one. The stated
    values are read with every node type of the catalog as a possible taker (the strictest setting).
    """
    inputs, outputs = solved
    produced = outputs[f"{suite}-{task.id}"]
    assert not isinstance(produced, str), produced
    flow = parse((SUITES / f"{suite}_solutions" / f"{task.id}.alang").read_text(), "declarative")
    expectations = expect(task.instruction, [inputs / name for name in task.inputs])
    files = [
        OutputFile(function_id=p.parent.name, path=p, kind=SUFFIX_KINDS.get(p.suffix.lower(), "file"))
        for p in produced
    ]
    problems = [
        *check_static(flow, expectations, comfy_catalog),
        *check_outputs(flow, files, expectations, comfy_catalog),
        *check_crop(flow, expectations, comfy_catalog),
        *unclaimed_diagnostics(flow, task.instruction, comfy_catalog, list(comfy_catalog)),
    ]
    assert [d.render() for d in problems if d.is_error] == []
