"""What gets embedded for each reference program: the document schemes compared by `anysym bench retrieval`.

- `description`: title + description, one document per program (the paper embeds a description);
- `combined`: title, description, typical requests, node types and modalities in one document;
- `multi`: several short documents per program (title + description; each typical request; title + node
  types + modalities), the program scored by its best-matching document (max-pooling).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from anysym.reference_programs import ReferenceProgram

__all__ = ["SCHEMES", "Document", "DocumentScheme", "documents_for"]

DocumentScheme = Literal["description", "combined", "multi"]
"""How a program is turned into embedded text."""

SCHEMES: tuple[DocumentScheme, ...] = get_args(DocumentScheme)


@dataclass(frozen=True, kw_only=True)
class Document:
    """One embedded text of one program."""

    id: str
    """Unique in the collection: `<program id>#<kind><n>`."""
    program_id: str
    text: str


def documents_for(program: ReferenceProgram, scheme: DocumentScheme) -> list[Document]:
    """Return the documents embedded for `program` under `scheme`."""
    about = f"{program.title}. {program.description}"
    signature = (
        f"{program.title}. Category {program.category}. Takes {_modalities(program.input_modalities)}, "
        f"produces {_modalities(program.output_modalities)}. Uses {', '.join(program.node_types)}."
    )
    if scheme == "description":
        texts = [("about", about)]
    elif scheme == "combined":
        requests = " ".join(f"{request.rstrip('.')}." for request in program.use_when)
        texts = [("all", f"{about} Typical requests: {requests} {signature}")]
    elif scheme == "multi":
        texts = [("about", about), ("signature", signature)]
        texts += [(f"use{n}", request) for n, request in enumerate(program.use_when)]
    else:
        raise ValueError(f"unknown document scheme {scheme!r}; choose one of {', '.join(SCHEMES)}")
    return [Document(id=f"{program.id}#{kind}", program_id=program.id, text=text) for kind, text in texts]


def _modalities(values: tuple[str, ...]) -> str:
    return " and ".join(values) if values else "nothing"
