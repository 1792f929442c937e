"""What the graph depends on, as Protocols: chat model, retriever, executor, grammar builder, catalog.

`build_graph(deps)` closes over one `Deps` bundle; tests pass fakes, `anysym.graph.defaults` builds the
real ones (ChatOpenAI, Chroma, ComfyUI).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from langchain_core.messages import BaseMessage

from anysym.executor.outputs import OutputFile
from anysym.language.catalog import Catalog
from anysym.language.diagnostics import Diagnostic
from anysym.language.flow import Flow

__all__ = [
    "ChatLLM",
    "CompletionLike",
    "Deps",
    "JudgeVerdictLike",
    "NodeHitLike",
    "NodeSearch",
    "OutputJudge",
    "ExecutionLike",
    "FlowExecutor",
    "GrammarBuilder",
    "ProgramLike",
    "RetrievedLike",
    "Retriever",
]


class CompletionLike(Protocol):
    """One chat completion with its usage (`anysym.llm.chat.Completion`)."""

    @property
    def text(self) -> str: ...  # noqa: D102
    @property
    def input_tokens(self) -> int: ...  # noqa: D102
    @property
    def output_tokens(self) -> int: ...  # noqa: D102
    @property
    def seconds(self) -> float: ...  # noqa: D102
    @property
    def model(self) -> str: ...  # noqa: D102


class ChatLLM(Protocol):
    """A chat model wrapper (`anysym.llm.chat.LLMClient`): retries transport errors, then `LLMError`."""

    async def complete(
        self, messages: Sequence[BaseMessage], *, stage: str, grammar: str | None = None, sample: int = 0
    ) -> CompletionLike:
        """Return the completion of `messages`; `grammar` (GBNF) constrains decoding when supported.

        `sample > 0` asks for an alternative answer (sampled, seeded by `sample`) instead of the
        configured decoding.
        """
        ...


class ProgramLike(Protocol):
    """A reference program (`anysym.reference_programs.ReferenceProgram`)."""

    @property
    def id(self) -> str: ...  # noqa: D102
    @property
    def title(self) -> str: ...  # noqa: D102
    @property
    def description(self) -> str: ...  # noqa: D102
    def flow(self) -> Flow: ...  # noqa: D102


class RetrievedLike(Protocol):
    """One retrieval hit."""

    @property
    def program(self) -> ProgramLike: ...  # noqa: D102
    @property
    def score(self) -> float: ...  # noqa: D102


class Retriever(Protocol):
    """Finds reference programs similar to a task."""

    def retrieve(
        self, query: str, k: int = 3, filters: Mapping[str, Any] | None = None
    ) -> Sequence[RetrievedLike]:
        """Return up to `k` hits, best first."""
        ...


class NodeHitLike(Protocol):
    """One node-search hit (`anysym.retriever.node_index.NodeHit`)."""

    @property
    def name(self) -> str: ...  # noqa: D102


class NodeSearch(Protocol):
    """Finds node types by what a step of a task does, and says what a node type does."""

    def retrieve_nodes(self, query: str, k: int = 3) -> Sequence[NodeHitLike]:
        """Return up to `k` node types best matching `query`, best first."""
        ...

    def gist(self, name: str) -> str | None:
        """One line on what node type `name` does, None when undocumented."""
        ...

    def input_docs(self, name: str) -> Mapping[str, str]:
        """What each input of node type `name` means, by input name (empty when undocumented)."""
        ...


class ExecutionLike(Protocol):
    """The outcome of one execution (`anysym.executor.job.JobResult`)."""

    @property
    def success(self) -> bool: ...  # noqa: D102
    @property
    def outputs(self) -> Sequence[OutputFile]: ...  # noqa: D102
    @property
    def diagnostics(self) -> Sequence[Diagnostic]: ...  # noqa: D102


class FlowExecutor(Protocol):
    """Runs an API prompt on ComfyUI: 400s and runtime errors come back as diagnostics."""

    async def run(
        self,
        prompt: Mapping[str, Any],
        *,
        inputs: Mapping[str, Path],
        out_dir: Path,
        timeout: float,
        workflow: Mapping[str, Any] | None = None,
    ) -> ExecutionLike:
        """Upload `inputs`, queue `prompt`, wait, download outputs into `out_dir`.

        `workflow`, the same graph as a UI workflow, is embedded in the images the server saves.
        """
        ...


GrammarPart = Literal["full", "components", "links"]
"""Which program a grammar admits (see `GrammarBuilder`)."""


class GrammarBuilder(Protocol):
    """Builds a GBNF grammar for a syntax from the catalog excerpt a prompt shows.

    `part` is "components" (psi1: functions and parameters only), "links" (psi2: the links of `flow`, the
    parsed psi1 answer) or "full" (one-step and refine); programs end with 1..`max_outputs` output functions.
    Refine bounds its program by the flow it repairs (`max_functions`, `max_links`).
    `anysym.language.gbnf.build_grammar` is one.
    """

    def __call__(
        self,
        catalog: Catalog,
        syntax: str,
        *,
        part: GrammarPart = "full",
        flow: Flow | None = None,
        max_outputs: int = 1,
        max_functions: int = 40,
        max_links: int | None = None,
    ) -> str:
        """Return the GBNF grammar text (at most `max_functions` functions and `max_links` links)."""
        ...


class OutputJudge(Protocol):
    """Judges produced files against the task (e.g. `anysym.verify.judge.VisionJudge`)."""

    async def judge(self, task: str, inputs: Sequence[Path], outputs: Sequence[Path]) -> JudgeVerdictLike:
        """Judge `outputs` (made from `inputs`) against `task`."""
        ...


class JudgeVerdictLike(Protocol):
    """A judge's verdict: passed (None = not judged) and one sentence why."""

    @property
    def passed(self) -> bool | None:
        """True: fulfils the task; False: does not; None: not judged."""
        ...

    @property
    def reason(self) -> str:
        """One sentence why."""
        ...


@dataclass(frozen=True, kw_only=True)
class Deps:
    """The services one compiled graph uses."""

    llm: ChatLLM
    catalog: Catalog
    retriever: Retriever | None = None
    nodes: NodeSearch | None = None
    """Node search and node documentation (per-step retrieval; one-line docs in the catalog excerpt)."""
    executor: FlowExecutor | None = None
    grammar: GrammarBuilder | None = None
    judge: OutputJudge | None = None
    """Optional vision judge consulted by verify after the deterministic checks pass."""
