"""Authoring source of bench/suites/cpu.json and its hand-written reference solutions (cpu_solutions/).

Each task states the instruction, its inputs, the declarative output check (reference pipelines computed
from the inputs, never pixel values) and a hand-written solution flow in the declarative A-Language
syntax. Regenerate with `python bench/scripts/build_cpu_suite.py`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Sol:
    """A reference solution under construction (rendered to the declarative syntax)."""

    functions: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    links: list[tuple[str, str | int, str, str]] = field(default_factory=list)

    def add(self, fid: str, ftype: str, **params: Any) -> str:
        self.functions.append((fid, ftype, params))
        return fid

    def link(self, src: str, port: str | int, dst: str, inp: str) -> None:
        self.links.append((src, port, dst, inp))

    def render(self) -> str:
        lines = []
        for fid, ftype, params in self.functions:
            args = f", {json.dumps(params)}" if params else ""
            lines.append(f'workflow.add_node("{fid}", "{ftype}"{args})')
        for src, port, dst, inp in self.links:
            lines.append(f'workflow.connect("{src}", {json.dumps(port)}, "{dst}", "{inp}")')
        return "\n".join(lines) + "\n"


def load(s: Sol, fid: str, name: str) -> str:
    return s.add(fid, "LoadImage", image=name)


def unary(
    s: Sol, fid: str, ftype: str, src: str, port: str | int = "IMAGE", inp: str = "image", **p: Any
) -> str:
    s.add(fid, ftype, **p)
    s.link(src, port, fid, inp)
    return fid


def save(s: Sol, src: str, prefix: str, port: str | int = "IMAGE", node: str = "SaveImage", **p: Any) -> None:
    fid = f"save_{prefix}"
    s.add(fid, node, filename_prefix=prefix, **p)
    s.link(src, port, fid, "images")


def img(**kw: Any) -> dict[str, Any]:
    return {"kind": "image", **kw}


def cmp(op: str, *steps: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return {"op": op, "expect": list(steps), **kw}


def L(name: str) -> dict[str, Any]:  # noqa: N802 - reads like a pipeline literal
    return {"op": "load", "input": name}


def op(name: str, **kw: Any) -> dict[str, Any]:
    return {"op": name, **kw}


@dataclass
class T:
    """One task of the suite with its reference solution."""

    id: str
    category: str
    instruction: str
    inputs: list[str]
    check: list[dict[str, Any]]
    solution: Sol
    outputs: list[dict[str, Any]] = field(default_factory=lambda: [{"kind": "image", "count": 1}])
    key_functions: list[str] = field(default_factory=list)
    output_modalities: list[str] = field(default_factory=lambda: ["image"])

    def to_json(self) -> dict[str, Any]:
        modalities = sorted({"mask" if n == "mask.png" else "image" for n in self.inputs}) or ["text"]
        data: dict[str, Any] = {
            "id": self.id,
            "instruction": self.instruction,
            "inputs": self.inputs,
            "category": self.category,
            "input_modalities": modalities,
            "output_modalities": self.output_modalities,
            "expected_outputs": self.outputs,
            "check": self.check,
            "functions": len(self.solution.functions),
        }
        if self.key_functions:
            data["key_functions"] = self.key_functions
        return data
