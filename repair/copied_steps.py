"""Steps copied from a reference program that the task never asks for.

The commonest wrong flow that runs keeps an example's extra step: "resize photo.png to exactly 128x96"
became invert-and-resize, the program it was shown. Nothing about the outputs gives it away (the size
is right, the picture changed), so the evidence is the flow's provenance. A working function is
reported when all of these hold: a reference program the model was shown has its type, no node search
of the task's steps found that type, and the task names no word of the type's name (ImageInvert:
"invert"). Each alone is weak evidence (node search
misses a type now and then; examples share types with the task on purpose), so all must agree.
Converters (MaskToImage) are never reported: they carry a value, they do no step.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from anysym.graph.state import State
from anysym.language.catalog import Catalog
from anysym.language.diagnostics import Diagnostic, DiagnosticKind
from anysym.language.flow import Flow
from anysym.language.io_nodes import CONVERTERS
from anysym.repair.flow_surgery import working
from anysym.task.phrases import task_tokens

__all__ = ["copied_steps", "copied_steps_in"]

_GENERIC = frozenset(
    {"image", "images", "mask", "masked", "latent", "node", "simple", "advanced", "by", "to", "from", "with"}
)
"""Words of node type names that name no step (ImageInvert's step is "invert")."""
_STEM = 4
"""Letters a task word and a name word must share at their start ("inverted" names ImageInvert)."""


def copied_steps(
    flow: Flow, task: str, catalog: Catalog, shown: Iterable[str], searched: Sequence[str]
) -> list[Diagnostic]:
    """One error per working function of `flow` that only a shown reference program explains.

    `shown`: the node types of the reference programs in the prompt; `searched`: every type the node
    searches of the task's steps found. Without searched types nothing is reported (no evidence).
    """
    if not searched:
        return []
    examples_only = set(shown) - set(searched) - set(CONVERTERS.values())
    stems = {word[:_STEM] for word in task_tokens(task) if len(word) >= 3}
    found = []
    for function_id, function in flow.functions.items():
        if function.type not in examples_only or working(flow, catalog, function_id) is None:
            continue
        words = [w for w in _type_words(function.type) if w not in _GENERIC and len(w) >= 3]
        if any(word[:_STEM] in stems for word in words):
            continue
        found.append(
            Diagnostic(
                kind=DiagnosticKind.VERIFICATION_FAILED,
                function=function_id,
                message=(
                    f"{function_id} ({function.type}) does a step the task does not ask for: it comes from a "
                    "reference program, and neither the task's words nor the node search name it"
                ),
                hint=f"take {function_id} out and link what it takes straight to what it feeds",
            )
        )
    return found


def copied_steps_in(flow: Flow, state: State, catalog: Catalog) -> list[Diagnostic]:
    """`copied_steps` of `flow` in a run: the run's task, retrieved programs and searched types."""
    shown = [name for example in state.get("examples", []) for name in example.node_types]
    return copied_steps(flow, state["task"], catalog, shown, state.get("suggested_types", []))


def _type_words(node_type: str) -> list[str]:
    """`ImageCompositeMasked` -> image, composite, masked."""
    return [w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", node_type)]
