"""The curated reference programs (declarative A-Language + description + metadata) and their loader.

**Usage**: `load_library(extra_dirs=())` returns every `ReferenceProgram`; `library_catalog_fragments()`
the catalog fragments the programs need beyond core ComfyUI; `content_hash(programs)` a fingerprint
that changes whenever the library does.
"""

from __future__ import annotations

from anysym.reference_programs.library import (
    content_hash,
    library_catalog_fragments,
    load_library,
    load_program_file,
)
from anysym.reference_programs.program import (
    CATEGORIES,
    MODALITIES,
    Category,
    Modality,
    ReferenceProgram,
)

__all__ = [
    "CATEGORIES",
    "MODALITIES",
    "Category",
    "Modality",
    "ReferenceProgram",
    "content_hash",
    "library_catalog_fragments",
    "load_library",
    "load_program_file",
]
