"""What a run of the inference engine returns: `Result`, its `Attempt`s, LLM calls, outputs and timings.

Every model is a frozen pydantic value that serialises to `result.json` (`Result.model_dump_json()`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from anysym.executor.outputs import OutputFile, TextPath
from anysym.language.diagnostics import Diagnostic
from anysym.language.flow import Flow

__all__ = [
    "STAGES_REACHED",
    "Attempt",
    "AttemptStage",
    "FailedStage",
    "LLMCall",
    "OutputFile",
    "Result",
    "RunStatus",
    "StageReached",
    "Timings",
    "Verification",
]

RunStatus = Literal["succeeded", "failed", "interrupted"]
"""`succeeded`: the flow ran and produced outputs (or, in a dry run, compiled valid)."""

StageReached = Literal["extracted", "parsed", "valid", "executed", "outputs"]
"""How far the best attempt got: program text extracted, parsed to a Flow, catalog-valid, ran, outputs."""

STAGES_REACHED: tuple[StageReached, ...] = ("extracted", "parsed", "valid", "executed", "outputs")
"""The stages in order, so `STAGES_REACHED.index(a) < STAGES_REACHED.index(b)` means b got further."""

AttemptStage = Literal["psi1", "psi2", "one_step", "refine", "edit", "search"]
"""Which step wrote an attempt's program (`edit`: a user edit at review or `anysym rerun`; `search`: a
local edit of a flow that failed verification)."""

FailedStage = Literal[
    "extract", "parse", "validate", "key_functions", "verify", "compile", "execute", "outputs", "verification"
]
"""Where an attempt failed; None when it did not fail (`verify`: the static task checks before execution,
`verification`: the produced outputs failed the task's checks)."""

Verification = Literal["verified", "unverified", "failed"]
"""What verification said of the outputs: passed every check, nothing could be checked, a check failed."""


class LLMCall(BaseModel):
    """One chat-model call: which stage, tokens in and out, wall seconds."""

    model_config = ConfigDict(frozen=True)

    stage: str
    model: str = ""
    input_tokens: int = 0
    output_tokens: int = 0
    seconds: float = 0.0
    shown_types: tuple[str, ...] = ()
    """The node types of the prompt's catalog excerpt (what the model could choose from)."""
    sample: int = 0
    """0: the configured decoding; n > 0: the n-th alternative answer sampled for the same prompt."""


class Attempt(BaseModel):
    """One candidate program: its text, the parsed flow (None if unparsable) and what went wrong."""

    model_config = ConfigDict(frozen=True)

    index: int
    stage: AttemptStage
    text: str
    flow: Flow | None = None
    diagnostics: tuple[Diagnostic, ...] = ()
    failed_stage: FailedStage | None = None
    stage_reached: StageReached | None = None
    repairs: tuple[str, ...] = ()
    """Deterministic repairs applied before validation, one line each (e.g. `filled default ...`)."""
    outputs: tuple[OutputFile, ...] = ()
    """The files this attempt's execution produced."""
    verification: Verification | None = None
    """The verify step's verdict on the outputs (None: not executed, or verification off)."""
    checks: int = 0
    """How many expectations the verify step checked (0 with outputs: unverified)."""

    @property
    def ok(self) -> bool:
        """Whether this attempt did not fail."""
        return self.failed_stage is None


class Timings(BaseModel):
    """Wall time split into LLM calls, ComfyUI work (upload, queue, run, download) and own overhead."""

    model_config = ConfigDict(frozen=True)

    total_s: float = 0.0
    llm_s: float = 0.0
    comfy_s: float = 0.0
    overhead_s: float = 0.0


class Result(BaseModel):
    """The outcome of one task: status, how far it got, the final flow, every attempt, usage, outputs."""

    model_config = ConfigDict(frozen=True)

    task: str
    status: RunStatus
    syntax: str = "declarative"
    """The A-Language syntax the LLM wrote (the flow is also in `texts` in every syntax)."""
    stage: StageReached | None = None
    examples: tuple[str, ...] = ()
    """The ids of the reference programs retrieved for the prompts, best first."""
    flow: Flow | None = None
    """The final flow (the last attempt's parsed flow, after deterministic repairs)."""
    texts: dict[str, str] = Field(default_factory=dict)
    """The final flow in every syntax, keyed by syntax name."""
    api: dict[str, object] | None = None
    """The final flow as a ComfyUI API prompt, when it compiled."""
    workflow: dict[str, object] | None = None
    """The final flow as a ComfyUI UI workflow (for its editor), when it compiled."""
    attempts: tuple[Attempt, ...] = ()
    llm_calls: tuple[LLMCall, ...] = ()
    outputs: tuple[OutputFile, ...] = ()
    verification: Verification | None = None
    """verified / unverified (ran, nothing could be checked) / failed (ran and failed the task's checks)."""
    timings: Timings = Field(default_factory=Timings)
    run_dir: TextPath | None = None
    run_id: str | None = None
    error: str | None = None
    """One line when the run failed (e.g. the last attempt's first diagnostic); None on success."""

    @property
    def succeeded(self) -> bool:
        """Whether the run succeeded."""
        return self.status == "succeeded"

    @property
    def outcome(self) -> str:
        """The outcome a person reads: never "succeeded" for outputs that failed the task's checks.

        "verified", "ran, unverified", "failed verification", else the status.
        """
        if self.verification == "failed":
            return "failed verification"
        if self.status == "succeeded" and self.verification == "verified":
            return "verified"
        if self.status == "succeeded" and self.outputs:
            return "ran, unverified"
        return self.status

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """The last attempt's diagnostics (empty when there was no attempt)."""
        return self.attempts[-1].diagnostics if self.attempts else ()

    @property
    def input_tokens(self) -> int:
        """Prompt tokens over every LLM call."""
        return sum(call.input_tokens for call in self.llm_calls)

    @property
    def output_tokens(self) -> int:
        """Completion tokens over every LLM call."""
        return sum(call.output_tokens for call in self.llm_calls)
