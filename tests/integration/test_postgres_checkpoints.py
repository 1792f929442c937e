"""Runs checkpointed in a real PostgreSQL (started by the test) survive a database restart and resume.

The engine runs with scripted LLM answers and a scripted executor (what is under test is where the
run's state lives, not inference); the database is a real server in a temporary directory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from anysym.errors import CheckpointError
from anysym.graph.api import aresume, review_path
from anysym.graph.deps import Deps
from anysym.graph.testing import ScriptedExecutor, ScriptedLLM
from anysym.language.catalog import Catalog
from tests.integration.postgres import PostgresServer
from tests.unit.test_graph_review import paused_run


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server of this test module's own, stopped and removed afterwards."""
    server = PostgresServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def test_a_paused_run_resumes_from_postgres_after_the_database_restarts(
    postgres: PostgresServer, snapshot_catalog: Catalog, tmp_path: Path
) -> None:
    run_dir = tmp_path / "pg-run-1"
    await paused_run(snapshot_catalog, run_dir, checkpoint_url=postgres.url)
    assert not (run_dir / "checkpoints.sqlite").exists()
    assert json.loads((run_dir / "task.json").read_text())["checkpoints"] == "postgres"
    with psycopg.connect(postgres.url) as connection:
        threads = {row[0] for row in connection.execute("SELECT DISTINCT thread_id FROM checkpoints")}
    assert "pg-run-1" in threads

    postgres.restart()  # only what PostgreSQL committed is left; this process keeps no state of the run
    review = review_path(run_dir, "declarative")
    review.write_text(review.read_text().replace('"inverted"', '"reviewed"'))
    executor = ScriptedExecutor([])
    second = Deps(llm=ScriptedLLM([]), catalog=snapshot_catalog, executor=executor)
    resumed = await aresume(run_dir, deps=second, checkpoint_url=postgres.url)
    assert resumed.status == "succeeded" and resumed.run_id == "pg-run-1"
    assert executor.prompts[0]["save"]["inputs"]["filename_prefix"] == "reviewed"


async def test_resume_without_the_url_and_an_unreachable_database_are_one_line(
    postgres: PostgresServer, snapshot_catalog: Catalog, tmp_path: Path
) -> None:
    run_dir = tmp_path / "pg-run-2"
    deps, _ = await paused_run(snapshot_catalog, run_dir, checkpoint_url=postgres.url)
    with pytest.raises(CheckpointError, match="keeps its checkpoints in PostgreSQL") as missing:
        await aresume(run_dir, deps=deps)
    assert "\n" not in str(missing.value)

    closed = postgres.url.replace(f":{postgres.port}/", ":1/")
    with pytest.raises(CheckpointError, match="cannot be read or written") as down:
        await aresume(run_dir, deps=deps, checkpoint_url=closed.replace("anysym@", "anysym:s3cret@"))
    assert "\n" not in str(down.value) and "s3cret" not in str(down.value)
