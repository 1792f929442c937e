"""Scripted stand-ins for the graph's services, for tests and the engine benchmark (no network).

`ScriptedLLM` answers from a list (an exception in the list is raised instead), and records every
prompt it was sent; `ScriptedExecutor` returns scripted executions and writes one small file per
output; `StaticRetriever` returns fixed hits; `KeywordNodeSearch` finds node types by keyword.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.messages import BaseMessage

from anysym.executor.outputs import OutputFile
from anysym.language.diagnostics import Diagnostic
from anysym.language.flow import Flow

__all__ = [
    "FakeCompletion",
    "FakeExecution",
    "FakeHit",
    "FakeNodeHit",
    "FakeProgram",
    "KeywordNodeSearch",
    "ScriptedExecutor",
    "ScriptedLLM",
    "StaticRetriever",
]


@dataclass(frozen=True)
class FakeCompletion:
    """A completion with usage counted as characters / 4."""

    text: str
    input_tokens: int
    output_tokens: int
    seconds: float
    stage: str
    model: str = "scripted"


@dataclass
class ScriptedLLM:
    """Answer each call with the next scripted item, recording what each call was sent.

    `prompts` keeps (stage, user text) per call and `chats` every call's whole message list.
    """

    answers: list[str | BaseException]
    seconds: float = 0.0
    prompts: list[tuple[str, str]] = field(default_factory=list)
    chats: list[list[BaseMessage]] = field(default_factory=list)
    grammars: list[str | None] = field(default_factory=list)
    samples: list[int] = field(default_factory=list)

    async def complete(
        self, messages: Sequence[BaseMessage], *, stage: str, grammar: str | None = None, sample: int = 0
    ) -> FakeCompletion:
        """Return the next answer (or raise the next exception)."""
        user = str(messages[-1].content)
        self.prompts.append((stage, user))
        self.chats.append(list(messages))
        self.grammars.append(grammar)
        self.samples.append(sample)
        if not self.answers:
            raise AssertionError(f"ScriptedLLM ran out of answers at stage {stage}")
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        chars = sum(len(str(m.content)) for m in messages)
        return FakeCompletion(answer, chars // 4, len(answer) // 4, self.seconds, stage)


@dataclass(frozen=True)
class FakeExecution:
    """A scripted execution outcome: success with outputs of these functions, or diagnostics."""

    success: bool = True
    output_functions: tuple[str, ...] = ("save",)
    diagnostics: tuple[Diagnostic, ...] = ()
    outputs: tuple[OutputFile, ...] = ()


@dataclass
class ScriptedExecutor:
    """Return the next scripted execution; `prompts` keeps every API prompt it was asked to run."""

    executions: list[FakeExecution]
    prompts: list[dict[str, Any]] = field(default_factory=list)
    inputs: list[dict[str, Path]] = field(default_factory=list)
    workflows: list[dict[str, Any] | None] = field(default_factory=list)

    async def run(
        self,
        prompt: Mapping[str, Any],
        *,
        inputs: Mapping[str, Path],
        out_dir: Path,
        timeout: float,
        workflow: Mapping[str, Any] | None = None,
    ) -> FakeExecution:
        """Record the prompt and return the next outcome, writing its output files into `out_dir`."""
        self.prompts.append(dict(prompt))
        self.workflows.append(dict(workflow) if workflow is not None else None)
        self.inputs.append(dict(inputs))
        outcome = self.executions.pop(0) if self.executions else FakeExecution()
        if not outcome.success:
            return outcome
        out_dir.mkdir(parents=True, exist_ok=True)
        outputs = []
        for function_id in outcome.output_functions:
            path = out_dir / f"{function_id}_00001_.png"
            path.write_bytes(b"scripted output")
            outputs.append(OutputFile(function_id=function_id, path=path, kind="image", filename=path.name))
        return FakeExecution(True, outcome.output_functions, (), tuple(outputs))


@dataclass(frozen=True)
class FakeProgram:
    """A reference program holding a flow."""

    id: str
    title: str
    description: str
    program_flow: Flow

    def flow(self) -> Flow:
        """Return the program's flow."""
        return self.program_flow


@dataclass(frozen=True)
class FakeHit:
    """A retrieval hit."""

    program: FakeProgram
    score: float = 1.0


@dataclass
class StaticRetriever:
    """Return the same hits for every query (at most k)."""

    hits: list[FakeHit]
    queries: list[str] = field(default_factory=list)

    def retrieve(self, query: str, k: int = 3, filters: Mapping[str, Any] | None = None) -> list[FakeHit]:
        """Return the first `k` hits."""
        self.queries.append(query)
        return self.hits[:k]


@dataclass(frozen=True)
class FakeNodeHit:
    """A node search hit."""

    name: str


@dataclass
class KeywordNodeSearch:
    """Node search by keywords: a query finds the types of every keyword it contains (lower case)."""

    types_by_keyword: dict[str, list[str]]
    inputs: dict[str, dict[str, str]] = field(default_factory=dict)
    """Per node type, what each of its inputs means."""

    def retrieve_nodes(self, query: str, k: int = 3) -> list[FakeNodeHit]:
        """Return the types of the keywords found in `query`, at most `k`."""
        words = query.lower()
        found = [t for word, types in self.types_by_keyword.items() if word in words for t in types]
        return [FakeNodeHit(name) for name in list(dict.fromkeys(found))[:k]]

    def gist(self, name: str) -> str | None:
        """No documentation."""
        return None

    def input_docs(self, name: str) -> Mapping[str, str]:
        """The scripted input documentation of `name`."""
        return self.inputs.get(name, {})
