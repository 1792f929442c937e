"""Several answers for one functions-only step (psi1, refine's step 1), the best by static fit taken.

A small model at temperature 0 writes the same program for the same prompt: it copies the first retrieved
program wholesale, and refine repeats the functions that just failed. Alternatives sampled from the same
prompt (a server that caches prompts reads it once) leave that rut. Each answer is scored before anything
is linked or executed, by facts that need no model:

- errors: unknown node types, invalid values, no loader of a task input or a loader of a file the task
  lacks, no saver of an output kind the task asks for, an answer that does not parse;
- unclaimed values: a value the task states for an input that a node type of the prompt has and no
  function of the answer has ("overlay mode, blend factor 0.6" answered with a paste; see
  `anysym.task.claims`), ranked after errors;
- strays: working functions (neither loaders nor outputs) of a type that the node search for the
  task and its steps did not find: an example's extra step copied along (the resize kept in an
  invert task). Counting steps whose found types are all missing was measured and dropped: the
  search of short phrases ("sigma", "save it") is noisy, so 39 of the cpu suite's 50 reference
  solutions "missed" a step, while stray types flagged 14 solutions and 31 of the 39 wrong first
  examples;
- copies: functions identical (type and parameters) to two earlier ones, the loop a small model falls
  into (one psi1 answer held 39 identical `ImageToMask(channel="alpha")`); a flow may well apply one
  step twice, so the first two copies are free;
- repeats: the answer holds exactly the functions of the flow being repaired.

The first answer without a finding is taken at once (so an answer that fits costs one call); otherwise
the best of `Context.candidates` answers, earliest on ties.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from anysym.errors import ALangError
from anysym.graph.context import Context
from anysym.graph.deps import Deps
from anysym.graph.result import LLMCall
from anysym.graph.state import State
from anysym.inference.ask import Bounds, ask
from anysym.inference.components import repair_components
from anysym.inference.extract import extract_program
from anysym.language.catalog import Catalog
from anysym.language.diagnostics import Diagnostic, DiagnosticKind, Severity
from anysym.language.flow import Flow
from anysym.language.io_nodes import savers_for, working_types
from anysym.language.syntax import parse
from anysym.language.validate import validate
from anysym.repair.flow_repairs import repair
from anysym.task.claims import unclaimed_values
from anysym.verify.checks import check_static
from anysym.verify.expectations import Expectations, expect

__all__ = ["Candidate", "Fit", "PromptFor", "ask_components", "examples_for", "fit_of"]

_LINK_KINDS = frozenset(
    {
        DiagnosticKind.MISSING_INPUT,
        DiagnosticKind.UNUSED_OUTPUT,
        DiagnosticKind.TYPE_MISMATCH,
        DiagnosticKind.REACHES_NO_OUTPUT,
    }
)
"""Validation findings that only say the functions are not linked yet (links come in the next step)."""


@dataclass(frozen=True, kw_only=True)
class Fit:
    """How well one functions-only answer fits the task; lower is better, compared in this order."""

    repeats: bool = False
    errors: int = 0
    unclaimed: int = 0
    copies: int = 0
    strays: int = 0

    @property
    def key(self) -> tuple[bool, int, int, int, int]:
        """The sort key: a repeat of the failed flow last, then errors, unclaimed values, copies, strays."""
        return (self.repeats, self.errors, self.unclaimed, self.copies, self.strays)

    @property
    def clean(self) -> bool:
        """Whether nothing speaks against the answer."""
        return self.key == (False, 0, 0, 0, 0)

    def describe(self) -> str:
        """One line for the run's repair notes."""
        parts = [f"{self.errors} static error(s)", f"{self.strays} function(s) of an unsearched type"]
        parts += [f"{self.unclaimed} stated value(s) no function takes"] if self.unclaimed else []
        parts += [f"{self.copies} repeated function(s)"] if self.copies else []
        return ", ".join(["repeats the failed flow", *parts] if self.repeats else parts)


FREE_COPIES = 2
"""Identical functions (type and parameters) an answer may hold before the rest count as copies."""

_UNUSABLE = Fit(errors=1_000)
"""An answer without a program: worse than any program."""
_UNPARSABLE = Fit(errors=500)
"""A program that does not parse: worse than any parsed one."""


@dataclass(frozen=True, kw_only=True)
class Candidate:
    """One answer: the repaired functions text (or, with `error`, the raw answer without a program)."""

    text: str
    notes: tuple[str, ...]
    fit: Fit
    error: Diagnostic | None = None


def fit_of(
    flow: Flow,
    *,
    expectations: Expectations,
    catalog: Catalog,
    searched: Sequence[str],
    failed: Flow | None = None,
    shown: Sequence[str] = (),
) -> Fit:
    """Score an unlinked flow against the task's static facts (see the module docstring)."""
    repaired, _ = repair(flow, catalog)
    findings = [d for d in validate(repaired, catalog) if d.is_error and d.kind not in _LINK_KINDS]
    findings += [
        d
        for d in check_static(repaired, expectations, catalog)
        if d.severity is Severity.ERROR and d.kind not in _LINK_KINDS
    ]
    types = {function.type for function in repaired.functions.values()}
    wanted = savers_for(sorted(expectations.output_kinds), catalog)
    unsaved = any(d.kind is DiagnosticKind.NO_OUTPUT_NODE for d in findings)
    missing_saver = 1 if wanted and not types & set(wanted) and not unsaved else 0
    signature = _signature(repaired)
    return Fit(
        repeats=failed is not None and signature == _signature(failed),
        errors=len(findings) + missing_saver,
        unclaimed=len(unclaimed_values(repaired, expectations.task, catalog, shown)),
        copies=sum(max(0, count - FREE_COPIES) for count in signature.values()),
        strays=len(working_types(types - set(searched), catalog)) if searched else 0,
    )


def _signature(flow: Flow) -> Counter[tuple[str, str]]:
    """The functions as a multiset of (type, parameters), ids ignored."""
    return Counter(
        (function.type, repr(sorted(function.params.items()))) for function in flow.functions.values()
    )


PromptFor = Callable[[State], tuple[str, list[str]]]
"""Builds a step's user prompt and the node types it shows from a state (whose examples may vary)."""


def examples_for(state: State, sample: int) -> State:
    """`state` with the examples answer `sample` is shown: in turn, each retrieved program goes first.

    A small model copies the first example wholesale, and samples of one prompt at temperature 0.8
    kept copying it (three identical answers in the cpu suite's runs); another program first moves the
    answer. Leaving the examples out instead was tried: without any, the 0.5B wrote the system prompt's
    own example (`inverted = ImageToMask`) for a resize.
    """
    examples = list(state.get("examples", []))
    turn = sample % len(examples) if examples else 0
    return {**state, "examples": examples[turn:] + examples[:turn]}


async def ask_components(
    state: State,
    context: Context,
    deps: Deps,
    *,
    stage: str,
    prompt_for: PromptFor,
    max_outputs: int,
    bounds: Bounds | None = None,
    failed: Flow | None = None,
) -> tuple[Candidate, list[LLMCall]]:
    """Ask for functions-only answers until one fits cleanly or `context.candidates` were tried.

    With `context.vary_examples`, answer n is asked with the retrieved programs rotated by n.
    """
    expectations = expect(state["task"], [Path(p) for p in state.get("inputs", [])])
    searched = state.get("suggested_types", [])
    tried: list[Candidate] = []
    calls: list[LLMCall] = []
    for sample in range(max(1, context.candidates)):
        user, types = prompt_for(examples_for(state, sample) if context.vary_examples else state)
        answer, call = await ask(
            deps,
            context,
            stage=stage,
            user=user,
            types=types,
            part="components",
            max_outputs=max_outputs,
            bounds=bounds,
            sample=sample,
        )
        calls.append(call)
        tried.append(_candidate(answer, state, context, deps, expectations, searched, failed, types))
        if tried[-1].fit.clean:
            break
    chosen = min(range(len(tried)), key=lambda n: tried[n].fit.key)  # min keeps the earliest on ties
    best = tried[chosen]
    if len(tried) > 1:
        note = f"chose answer {chosen + 1} of {len(tried)} sampled ({best.fit.describe()})"
        best = replace(best, notes=(*best.notes, note))
    return best, calls


def _candidate(
    answer: str,
    state: State,
    context: Context,
    deps: Deps,
    expectations: Expectations,
    searched: Sequence[str],
    failed: Flow | None,
    shown: Sequence[str],
) -> Candidate:
    extracted = extract_program(answer)
    if extracted.error is not None:
        return Candidate(text=answer, notes=(), fit=_UNUSABLE, error=extracted.error)
    text, notes = repair_components(extracted.text, state, context, deps)
    try:
        flow = parse(text, context.syntax)
    except ALangError:  # compile reports it after psi2
        return Candidate(text=text, notes=tuple(notes), fit=_UNPARSABLE)
    fit = fit_of(
        flow, expectations=expectations, catalog=deps.catalog, searched=searched, failed=failed, shown=shown
    )
    return Candidate(text=text, notes=tuple(notes), fit=fit)
