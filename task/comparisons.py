"""A threshold stated as a comparison: "pixels whose red channel is above 0.6 become white".

The task binding reads a number next to a word of the parameter's name ("radius 4"); a threshold's
parameter is often named for nothing the task says (ThresholdMask's `value`), and the task states it
as a comparison instead. The 0.5B kept the example's `value=0.5` for "above 0.6" and for "above 0.5"
had it right by luck. One comparison value and one function that thresholds by one number (its node
type is named for thresholds, or its one number input is) make the binding sure; anything else is
left to the model.
"""

from __future__ import annotations

import re

from anysym.language.catalog import Catalog, InputSpec
from anysym.language.flow import Flow

__all__ = ["stated_threshold"]

_COMPARISON = re.compile(
    r"\b(?:above|over|greater\s+than|more\s+than|higher\s+than|brighter\s+than|exceed(?:s|ing)?|below|under"
    r"|less\s+than|lower\s+than|darker\s+than|at\s+least|at\s+most)\s+(\d+(?:\.\d+)?)"
    r"(?!\s*(?:%|(?:percent|px|pixels?)\b)|\d|\.\d|x)"
)


def stated_threshold(flow: Flow, catalog: Catalog, task: str) -> tuple[str, InputSpec, float] | None:
    """The one thresholding function of `flow`, its number input, and the one value the task compares to."""
    values = {float(match.group(1)) for match in _COMPARISON.finditer(task.lower())}
    if len(values) != 1:
        return None
    takers = []
    for function_id, function in flow.functions.items():
        spec = catalog.get(function.type)
        numbers = [i for i in spec.widget_inputs() if i.type in ("INT", "FLOAT")] if spec is not None else []
        named = "threshold" in function.type.lower() or any("threshold" in i.name for i in numbers)
        if named and len(numbers) == 1:
            takers.append((function_id, numbers[0]))
    if len(takers) != 1:
        return None
    function_id, inp = takers[0]
    return function_id, inp, values.pop()
