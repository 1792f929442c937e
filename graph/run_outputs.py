"""The output folder of a run without a run directory: one per run, holding only the result's files.

A run directory keeps every attempt's outputs as artifacts. Without one (the Python API with injected
`Deps` and no `run_dir`), the files of the attempts that lost (failed checks, search edits, refine
rounds) are of no use to anyone: a run used to leave one `anysym-outputs-*` temporary folder per
attempt behind. Now `agenerate` makes one folder per run (unless `Context.outputs_dir` names one), and
when the run ends removes every attempt's file that is not one of the result's outputs; a temporary
folder left empty, or the one of a run that raised, goes too.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from anysym.graph.context import Context
from anysym.graph.result import Result

__all__ = ["keep_result_files", "run_outputs"]


@contextmanager
def run_outputs(context: Context) -> Iterator[Context]:
    """`context` with a temporary `outputs_dir` when the run executes and has no folder for its outputs.

    The temporary folder is removed when the body raises (no result will name its files).
    """
    if not context.execute or context.run_dir is not None or context.outputs_dir is not None:
        yield context
        return
    folder = Path(tempfile.mkdtemp(prefix="anysym-outputs-"))
    try:
        yield replace(context, outputs_dir=folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def keep_result_files(result: Result, context: Context, *, temporary: bool) -> None:
    """Remove the attempts' files in `context.outputs_dir` that are not the result's outputs.

    Only files an attempt recorded are removed (and the folders they leave empty), so a folder the
    caller named keeps anything else in it; a `temporary` folder left empty is removed.
    """
    folder = context.outputs_dir
    if folder is None or context.run_dir is not None:
        return
    root = folder.resolve()
    kept = {output.path.resolve() for output in result.outputs}
    emptied: set[Path] = set()
    for attempt in result.attempts:
        for output in attempt.outputs:
            path = output.path.resolve()
            if path not in kept and path.is_relative_to(root):
                path.unlink(missing_ok=True)
                emptied.update(parent for parent in path.parents if parent.is_relative_to(root))
    for directory in sorted(emptied, key=lambda d: len(d.parts), reverse=True):  # deepest first
        if directory.is_dir() and not any(directory.iterdir()) and (directory != root or temporary):
            directory.rmdir()
    if temporary and root.is_dir() and not any(root.iterdir()):
        root.rmdir()
