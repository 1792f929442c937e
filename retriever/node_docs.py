"""Per-node documentation: what a node type does and what each input means, for prompts and node search.

The source is Comfy-Org's `comfyui-embedded-docs` package (GPL-3.0, read at run time, never copied into
this repository): one folder per core node type holding `en.md` (a `# Title` line, a summary paragraph,
then `## Inputs` / `## Outputs` tables of `| parameter | description | type |`). A server's catalog
description, when it has one, is the fallback for node types the package does not cover.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from anysym.language.catalog import Catalog

__all__ = ["DOCS_PACKAGE", "NodeDoc", "embedded_docs_dir", "load_node_docs", "node_docs_for"]

DOCS_PACKAGE = "comfyui_embedded_docs"
"""The import name of the documentation package (`pip install comfyui-embedded-docs`)."""

_CAMEL_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_ROW = re.compile(r"^\|\s*`?([A-Za-z_][A-Za-z0-9_]*)`?\s*\|\s*(.*?)\s*\|")
_SENTENCE_END = re.compile(r"(?<=[a-z0-9)])\.\s")
_OPENER = re.compile(
    r"^(?:the\s+\S+\s+node|this\s+node|it)\s+"
    r"(?:is\s+(?:designed|used|intended)\s+(?:to|for)|is\s+a\s+node\s+that|allows\s+you\s+to|lets\s+you)?\s*",
    re.IGNORECASE,
)


@dataclass(frozen=True, kw_only=True)
class NodeDoc:
    """What one node type does (`summary`) and what each of its inputs means."""

    name: str
    title: str
    summary: str
    inputs: Mapping[str, str] = field(default_factory=dict)

    def gist(self, limit: int = 110) -> str:
        """One line on what the node does: the summary's first sentence, at most `limit` characters.

        The "The X node is designed to" opener is dropped: it costs prompt tokens and says nothing.
        """
        found = _SENTENCE_END.search(self.summary)
        sentence = _OPENER.sub("", self.summary[: found.start()] if found else self.summary).rstrip(".")
        sentence = sentence[:1].upper() + sentence[1:]
        return sentence if len(sentence) <= limit else sentence[: limit - 3].rstrip() + "..."

    def search_text(self) -> str:
        """The text a node search embeds: title, name and summary."""
        return f"{self.title} ({self.name}): {self.summary}"


def embedded_docs_dir() -> Path | None:
    """The `docs/` folder of the installed documentation package, or None when it is not installed."""
    spec = importlib.util.find_spec(DOCS_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        docs = Path(location) / "docs"
        if docs.is_dir():
            return docs
    return None


def load_node_docs(docs_dir: Path, names: set[str] | None = None) -> dict[str, NodeDoc]:
    """Read the English docs of every node folder under `docs_dir` (only `names` when given).

    Unreadable or malformed files are skipped: documentation is a hint, never a reason to fail a run.
    """
    docs: dict[str, NodeDoc] = {}
    for folder in sorted(docs_dir.iterdir()) if docs_dir.is_dir() else ():
        if names is not None and folder.name not in names:
            continue
        try:
            text = (folder / "en.md").read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        doc = _parse(folder.name, text)
        if doc is not None:
            docs[folder.name] = doc
    return docs


def node_docs_for(catalog: Catalog, docs_dir: Path | None) -> dict[str, NodeDoc]:
    """Docs for every catalog node type.

    The package's where it has them, else the catalog's description, else the words of the node's name.
    """
    names = set(catalog)
    docs = load_node_docs(docs_dir, names) if docs_dir is not None else {}
    for name in names - docs.keys():
        spec = catalog[name]
        title = spec.display_name or name
        # An undocumented node is still found by its words: "EmptyImage" -> "Empty Image".
        summary = (spec.description or "").strip() or " ".join(_CAMEL_WORD.findall(title))
        docs[name] = NodeDoc(name=name, title=title, summary=summary)
    return docs


def _parse(name: str, text: str) -> NodeDoc | None:
    lines = text.splitlines()
    title = next((line[2:].strip() for line in lines if line.startswith("# ")), name)
    summary_lines: list[str] = []
    inputs: dict[str, str] = {}
    section = "summary"
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("## "):
            section = stripped[3:].strip().lower()
            continue
        if section == "summary" and stripped and not stripped.startswith(("#", ">", "|", "!")):
            summary_lines.append(stripped)
        elif section == "inputs" and (row := _ROW.match(stripped)) and row.group(1) != "Parameter":
            inputs[row.group(1)] = row.group(2)
    summary = " ".join(summary_lines).replace("`", "")
    if not summary:
        return None
    return NodeDoc(name=name, title=title, summary=summary, inputs=inputs)
