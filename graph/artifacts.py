"""The run directory: task, attempts, LLM transcript, final flow in every syntax, outputs, result.

```
RUN_DIR/task.json  transcript.jsonl  attempts/NN/{flow.txt, diagnostics.json, repairs.txt}
        flow.declarative  flow.dataflow  flow.pseudo  api.json  outputs/  result.json
```
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from anysym.graph.result import Attempt, Result
from anysym.language.diagnostics import diagnostics_to_json

__all__ = ["RunDir"]


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
        """Write the final flow in every syntax, api.json and result.json."""
        for syntax, text in result.texts.items():
            self._write(self.flow_path(syntax).name, text)
        if result.api is not None:
            self._write("api.json", json.dumps(result.api, indent=2, ensure_ascii=False))
        self._write("result.json", result.model_dump_json(indent=2))

    def _write(self, relative: str, text: str) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
