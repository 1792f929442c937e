"""Declarative output checks of benchmark tasks: the JSON schema (pydantic), evaluated by `checks.py`.

A check never stores expected pixels. Expectations are *reference pipelines*: short lists of image
operations (`load`, `invert`, `resize`, `crop`, `blend`...) that `imageops.py` recomputes from the task's
input files, and the produced output is compared with the result (`match`) or related to it by a
property (`blurred`, `sharpened`, `edges`, `quantized`, `darker`, `brighter`, `differs`, `correlates`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "STEP_PARAMS",
    "Check",
    "CompareSpec",
    "ImageCheck",
    "LatentCheck",
    "Step",
]

STEP_PARAMS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "load": (frozenset({"input"}), frozenset()),
    "load_alpha_mask": (frozenset({"input"}), frozenset()),
    "load_mask": (frozenset({"input", "channel"}), frozenset()),
    "invert": (frozenset(), frozenset()),
    "resize": (frozenset({"width", "height"}), frozenset({"method", "crop"})),
    "scale_by": (frozenset({"factor"}), frozenset({"method"})),
    "crop": (frozenset({"x", "y", "width", "height"}), frozenset()),
    "blend": (frozenset({"other", "factor"}), frozenset({"mode"})),
    "pad": (frozenset(), frozenset({"left", "top", "right", "bottom"})),
    "composite": (frozenset({"source"}), frozenset({"x", "y", "mask"})),
    "solid": (frozenset({"width", "height"}), frozenset({"color"})),
    "solid_mask": (frozenset({"width", "height"}), frozenset({"value"})),
    "channel": (frozenset({"channel"}), frozenset()),
    "to_image": (frozenset(), frozenset()),
    "threshold": (frozenset({"value"}), frozenset()),
    "mask_composite": (frozenset({"source", "operation"}), frozenset({"x", "y"})),
    "join_alpha": (frozenset({"alpha"}), frozenset()),
    "color_to_mask": (frozenset({"color"}), frozenset()),
    "blur": (frozenset({"radius"}), frozenset({"sigma"})),
}
"""Operation name -> (required parameter names, optional parameter names) of a reference-pipeline step."""


class Step(BaseModel):
    """One operation of a reference pipeline; nested pipelines (`other`, `source`, `mask`) are step lists."""

    model_config = ConfigDict(extra="allow", frozen=True)

    op: str

    @model_validator(mode="after")
    def _known_params(self) -> Step:
        if self.op not in STEP_PARAMS:
            raise ValueError(f"unknown step op {self.op!r}; known: {', '.join(sorted(STEP_PARAMS))}")
        required, optional = STEP_PARAMS[self.op]
        given = set(self.model_extra or {})
        missing = required - given
        unknown = given - required - optional
        if missing or unknown:
            raise ValueError(
                f"step {self.op!r}: missing {sorted(missing)}, unknown {sorted(unknown)}; "
                f"takes {sorted(required)} and optionally {sorted(optional)}"
            )
        for key in ("other", "source", "mask", "alpha"):
            value = self.param(key)
            if value is not None and not isinstance(value, list):
                raise ValueError(f"step {self.op!r}: {key!r} must be a list of steps")
        return self

    def param(self, name: str, default: Any = None) -> Any:
        """Return parameter `name` of this step (nested pipelines come back as lists of `Step`)."""
        value = (self.model_extra or {}).get(name, default)
        if isinstance(value, list) and name in ("other", "source", "mask", "alpha"):
            return [item if isinstance(item, Step) else Step.model_validate(item) for item in value]
        return value

    def inputs(self) -> set[str]:
        """Return the input file names this step (and its nested pipelines) reads."""
        names = {str(self.param("input"))} if "input" in (self.model_extra or {}) else set()
        for key in ("other", "source", "mask", "alpha"):
            for step in self.param(key) or []:
                names |= step.inputs()
        return names


CompareOp = Literal[
    "match", "blurred", "sharpened", "edges", "quantized", "darker", "brighter", "differs", "correlates"
]


class CompareSpec(BaseModel):
    """Relate an output to the image the `expect` pipeline computes from the inputs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    op: CompareOp
    expect: list[Step] = Field(min_length=1)
    max_mae: float | None = Field(default=None, description="mean absolute error bound, 0-255 scale")
    min_mae: float | None = None
    ratio: float | None = Field(default=None, description="high-frequency energy ratio bound")
    min_corr: float | None = None
    colors: int | None = None

    def inputs(self) -> set[str]:
        """Return the input file names the reference pipeline reads."""
        names: set[str] = set()
        for step in self.expect:
            names |= step.inputs()
        return names


class ImageCheck(BaseModel):
    """Properties one produced image (or animation) must have."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["image"] = "image"
    width: int | None = None
    height: int | None = None
    mode: Literal["RGB", "RGBA", "L"] | None = None
    frames: int | None = Field(default=None, description="frame count of an animation (1 for a still)")
    mean_range: tuple[float, float] | None = Field(default=None, description="mean pixel value, 0-255")
    std_range: tuple[float, float] | None = None
    grayscale: bool | None = None
    max_colors: int | None = None
    compare: list[CompareSpec] = []

    @model_validator(mode="before")
    @classmethod
    def _single_compare(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("compare"), dict):
            return {**data, "compare": [data["compare"]]}
        return data

    def inputs(self) -> set[str]:
        """Return the input file names the comparisons read."""
        return set().union(*(c.inputs() for c in self.compare)) if self.compare else set()


class LatentCheck(BaseModel):
    """Properties of a saved latent (`.latent` safetensors file): the tensor shape."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["latent"] = "latent"
    shape: list[int] | None = None

    def inputs(self) -> set[str]:
        """Return no input names (latent checks read only the output)."""
        return set()


Check = ImageCheck | LatentCheck
"""One output check; a task's `check` is a list of them, each satisfied by a different output."""
