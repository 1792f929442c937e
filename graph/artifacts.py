"""The run directory: task, attempts, LLM transcript, final flow in every syntax, outputs, result.

Attempts and the result are written from the nodes' state updates (`RunDir.record`, one call per node
in the graph's node wrapper); the transcript as each LLM call ends (`inference/ask.py`), so a run that
crashes keeps every answer it paid for; the output files by the executor.

```
RUN_DIR/task.json  transcript.jsonl  attempts/NN/{flow.txt, diagnostics.json, repairs.txt}
        flow.declarative  flow.dataflow  flow.pseudo  api.json  ui.json  outputs/  result.json
```
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from anysym.errors import AnysymError
from anysym.graph.result import Attempt, Result
from anysym.language.diagnostics import diagnostics_to_json

__all__ = ["LOCK_FILE", "RESULT_FILE", "UI_FILE", "RunDir"]

RESULT_FILE = "result.json"
"""The run's `Result`, written when the run ends or pauses for review."""
UI_FILE = "ui.json"
"""The final flow as a ComfyUI UI workflow: drag it into the ComfyUI editor to open it."""
LOCK_FILE = ".lock"
"""Locked (flock) while a process resumes the run, so two resumes never both call the LLM."""


class RunDir:
    """Writes the artifacts of one run under `root` (created on first write)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def outputs(self) -> Path:
        """Folder the executor downloads output files into."""
        return self.root / "outputs"

    def flow_path(self, syntax: str) -> Path:
        """Return the path of the final flow written in `syntax`."""
        return self.root / f"flow.{syntax}"

    def write_task(
        self, task: str, inputs: Sequence[str], key_functions: Sequence[str], **extra: Any
    ) -> None:
        """Write task.json (the request and the run options)."""
        data = {"task": task, "inputs": list(inputs), "key_functions": list(key_functions), **extra}
        self._write("task.json", json.dumps(data, indent=2, default=str))

    def write_attempt(self, attempt: Attempt) -> None:
        """Write attempts/NN/ for one attempt."""
        folder = f"attempts/{attempt.index:02d}"
        self._write(f"{folder}/flow.txt", attempt.text)
        self._write(f"{folder}/diagnostics.json", diagnostics_to_json(list(attempt.diagnostics)))
        summary = {
            "stage": attempt.stage,
            "failed_stage": attempt.failed_stage,
            "reached": attempt.stage_reached,
        }
        self._write(
            f"{folder}/attempt.json", json.dumps({**summary, "repairs": list(attempt.repairs)}, indent=2)
        )

    def append_transcript(self, entry: dict[str, Any]) -> None:
        """Append one LLM call (messages, answer, tokens, seconds) to transcript.jsonl."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / "transcript.jsonl").open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def write_result(self, result: Result) -> None:
        """Write the final flow in every syntax, api.json, ui.json and result.json."""
        for syntax, text in result.texts.items():
            self._write(self.flow_path(syntax).name, text)
        if result.api is not None:
            self._write("api.json", json.dumps(result.api, indent=2, ensure_ascii=False))
        if result.workflow is not None:
            self._write(UI_FILE, json.dumps(result.workflow, indent=2, ensure_ascii=False))
        self.write_record(result)

    def record(self, update: Mapping[str, Any]) -> None:
        """Write what one node's state update adds to the run: its attempts, and the result if any.

        Called for every node by the graph's node wrapper (`graph/build.py`), so the nodes themselves
        write no run files; a graph served by `langgraph dev` records its runs the same way.
        """
        for attempt in update.get("attempts", ()):
            self.write_attempt(attempt)
        if update.get("result") is not None:
            self.write_result(update["result"])

    def write_record(self, result: Result) -> None:
        """Write result.json alone (its flow files are already there)."""
        self._write(RESULT_FILE, result.model_dump_json(indent=2))

    def finished_result(self) -> Result | None:
        """The result of a run that has ended (succeeded or failed); None while it can still go on.

        A run paused for review, one that crashed before writing its result and one whose result file
        is unreadable can all be resumed.
        """
        try:
            result = Result.model_validate_json((self.root / RESULT_FILE).read_bytes())
        except (OSError, ValueError):
            return None
        return None if result.status == "interrupted" else result

    @contextmanager
    def exclusive(self, what: str) -> Iterator[None]:
        """Hold the run's lock for `what` (e.g. "resume"); raises `AnysymError` if another process has it."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / LOCK_FILE).open("a+", encoding="utf-8") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise AnysymError(
                    f"run {self.root.name} is busy: another process holds it ({what} refused); "
                    "wait for that process to end"
                ) from exc
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _write(self, relative: str, text: str) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
