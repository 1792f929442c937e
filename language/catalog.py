"""Catalog: the node types a ComfyUI server offers, read from its `/object_info` JSON."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from anysym.errors import CatalogError
from anysym.language.flow import ParamValue

Section = Literal["required", "optional", "hidden"]

WIDGET_TYPES = frozenset({"INT", "FLOAT", "STRING", "BOOLEAN", "COMBO"})
"""Input types whose values are literals (widgets) unless `forceInput` turns them into sockets."""

MODEL_FILE_SUFFIXES = (".safetensors", ".ckpt", ".pt", ".pth", ".bin", ".gguf", ".sft", ".onnx")
"""File suffixes that mark a COMBO's choices as model files installed on the server."""

LOADER_INPUTS = frozenset(
    "ckpt_name vae_name lora_name control_net_name clip_name clip_name1 clip_name2 clip_name3 clip_name4"
    " clip_vision_name unet_name upscale_model_name model_name style_model_name gligen_name"
    " hypernetwork_name photomaker_model_name audio_encoder_name model_patch_name".split()
)
"""Inputs of ComfyUI's loader nodes that pick a model file, even when none is installed (no choices)."""


class InputSpec(BaseModel):
    """One input of a node type: its type, section and widget options."""

    model_config = ConfigDict(frozen=True)

    name: str
    type: str
    section: Section
    default: ParamValue = None
    min: float | None = None
    max: float | None = None
    step: float | None = None
    choices: tuple[ParamValue, ...] | None = None
    multiline: bool = False
    force_input: bool = False
    options: dict[str, Any] = {}

    @property
    def is_widget(self) -> bool:
        """Whether this input takes a literal value (a widget) rather than a link."""
        return self.type in WIDGET_TYPES and not self.force_input

    @property
    def accepts_link(self) -> bool:
        """Whether a link may feed this input (every input can, widgets are converted to sockets)."""
        return self.section != "hidden"

    @property
    def is_model_file(self) -> bool:
        """Whether this input picks a model file on the server.

        True for a COMBO whose choices look like model files (a `MODEL_FILE_SUFFIXES` suffix), or for a
        known loader input (`LOADER_INPUTS`, e.g. `ckpt_name`) even with no choices (nothing installed).
        Other combos (`sampler_name`, `scheduler`, `config_name`...) and upload inputs are not.
        """
        if self.type != "COMBO" or self.options.get("image_upload"):
            return False
        if self.name in LOADER_INPUTS:
            return True
        return any(str(c).lower().endswith(MODEL_FILE_SUFFIXES) for c in self.choices or ())


class OutputSpec(BaseModel):
    """One output of a node type."""

    model_config = ConfigDict(frozen=True)

    index: int
    name: str
    type: str
    is_list: bool = False


class NodeSpec(BaseModel):
    """A node type: inputs in declaration order, outputs, and whether it is an output (sink) node."""

    model_config = ConfigDict(frozen=True)

    name: str
    display_name: str = ""
    category: str = ""
    description: str = ""
    inputs: dict[str, InputSpec] = {}
    outputs: tuple[OutputSpec, ...] = ()
    output_node: bool = False

    def input(self, name: str) -> InputSpec | None:
        """Return the input called `name` (hidden inputs included), or None."""
        return self.inputs.get(name)

    def visible_inputs(self) -> list[InputSpec]:
        """Return required then optional inputs (hidden ones are filled by the server)."""
        return [i for i in self.inputs.values() if i.section != "hidden"]

    def required_inputs(self) -> list[InputSpec]:
        """Return the required inputs."""
        return [i for i in self.inputs.values() if i.section == "required"]

    def widget_inputs(self) -> list[InputSpec]:
        """Return the literal-valued inputs in UI widget order (required, then optional)."""
        return [i for i in self.visible_inputs() if i.is_widget]

    def socket_inputs(self) -> list[InputSpec]:
        """Return the inputs fed by links (sockets), required then optional."""
        return [i for i in self.visible_inputs() if not i.is_widget]

    def output(self, ref: str | int) -> OutputSpec | None:
        """Resolve an output by name (exact, then case-insensitive) or 0-based index."""
        if isinstance(ref, int):
            return self.outputs[ref] if 0 <= ref < len(self.outputs) else None
        for out in self.outputs:
            if out.name == ref:
                return out
        lowered = [o for o in self.outputs if o.name.lower() == ref.lower()]
        return lowered[0] if len(lowered) == 1 else None


class Catalog:
    """The node types of one ComfyUI server (or a merge of snapshots and fragments).

    **Usage**: `Catalog.load(path)`, `Catalog.from_object_info(json)`, `catalog["KSampler"]`,
    `"KSampler" in catalog`, `catalog.closest("KSamplr")`, `catalog.save(path)`.
    """

    def __init__(self, nodes: Mapping[str, NodeSpec], raw: Mapping[str, Any] | None = None) -> None:
        self._nodes = dict(nodes)
        self._raw = dict(raw or {})

    @classmethod
    def from_object_info(cls, object_info: Mapping[str, Any]) -> Catalog:
        """Build a catalog from a `/object_info` document; raises `CatalogError` on a bad shape."""
        if not isinstance(object_info, Mapping):
            raise CatalogError(
                "object_info must be a JSON object of node types; pull it again from the server"
            )
        nodes = {name: parse_node(name, info) for name, info in object_info.items()}
        return cls(nodes, object_info)

    @classmethod
    def load(cls, path: str | Path) -> Catalog:
        """Load a saved `/object_info` snapshot (or catalog fragment) from a JSON file."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CatalogError(f"cannot read catalog {path}: {exc}; pass a saved /object_info JSON") from exc
        return cls.from_object_info(data)

    def save(self, path: str | Path) -> None:
        """Write the catalog as `/object_info` JSON (lossless for catalogs built from JSON)."""
        Path(path).write_text(json.dumps(self._raw, indent=1, ensure_ascii=False), encoding="utf-8")

    def to_object_info(self) -> dict[str, Any]:
        """Return the `/object_info` JSON this catalog was built from."""
        return dict(self._raw)

    def merged(self, *others: Catalog) -> Catalog:
        """Return a catalog with the node types of `others` added (later ones win)."""
        raw = dict(self._raw)
        nodes = dict(self._nodes)
        for other in others:
            raw.update(other._raw)
            nodes.update(other._nodes)
        return Catalog(nodes, raw)

    def subset(self, names: list[str]) -> Catalog:
        """Return a catalog holding only the known types among `names`."""
        keep = [n for n in names if n in self._nodes]
        return Catalog({n: self._nodes[n] for n in keep}, {n: self._raw[n] for n in keep if n in self._raw})

    def __contains__(self, name: object) -> bool:
        return name in self._nodes

    def __getitem__(self, name: str) -> NodeSpec:
        return self._nodes[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._nodes)

    def __len__(self) -> int:
        return len(self._nodes)

    def get(self, name: str) -> NodeSpec | None:
        """Return the node type called `name`, or None."""
        return self._nodes.get(name)

    def nodes(self) -> list[NodeSpec]:
        """Return every node type."""
        return list(self._nodes.values())

    def closest(self, name: str, n: int = 3) -> list[str]:
        """Return up to `n` catalog names closest to `name` (case-insensitive), best first."""
        by_lower: dict[str, str] = {k.lower(): k for k in self._nodes}
        found = difflib.get_close_matches(name.lower(), list(by_lower), n=n, cutoff=0.6)
        return [by_lower[f] for f in found]


def parse_node(name: str, info: Any) -> NodeSpec:
    """Parse one `/object_info` entry (old list-COMBO and new `"COMBO"` + options are both understood)."""
    if not isinstance(info, Mapping):
        raise CatalogError(f"object_info entry {name!r} is not an object")
    sections = info.get("input") or {}
    if not isinstance(sections, Mapping):
        raise CatalogError(f"object_info entry {name!r} has a malformed 'input'")
    inputs: dict[str, InputSpec] = {}
    for section in ("required", "optional", "hidden"):
        for input_name, spec in (sections.get(section) or {}).items():
            inputs[input_name] = parse_input(input_name, spec, section)
    order = info.get("input_order")
    if isinstance(order, Mapping):
        ranked = [
            n for sec in ("required", "optional", "hidden") for n in order.get(sec) or [] if n in inputs
        ]
        inputs = {n: inputs[n] for n in ranked} | {n: s for n, s in inputs.items() if n not in ranked}
    types = list(info.get("output") or [])
    names = list(info.get("output_name") or [])
    is_list = list(info.get("output_is_list") or [])
    outputs = tuple(
        OutputSpec(
            index=i,
            name=str(names[i]) if i < len(names) and names[i] else _type_name(t),
            type=_type_name(t),
            is_list=bool(is_list[i]) if i < len(is_list) else False,
        )
        for i, t in enumerate(types)
    )
    return NodeSpec(
        name=name,
        display_name=str(info.get("display_name") or name),
        category=str(info.get("category") or ""),
        description=str(info.get("description") or ""),
        inputs=inputs,
        outputs=outputs,
        output_node=bool(info.get("output_node", False)),
    )


def parse_input(name: str, spec: Any, section: Section) -> InputSpec:
    """Parse one input spec: `["TYPE", {opts}]`, `[[choices], {opts}]`, `["COMBO", {"options": [...]}]`."""
    if isinstance(spec, str):  # hidden inputs: {"prompt": "PROMPT"}
        return InputSpec(name=name, type=spec, section=section)
    if not isinstance(spec, list | tuple) or not spec:
        raise CatalogError(f"input {name!r} has a malformed spec {spec!r}")
    kind = spec[0]
    opts: dict[str, Any] = dict(spec[1]) if len(spec) > 1 and isinstance(spec[1], Mapping) else {}
    choices: tuple[ParamValue, ...] | None = None
    if isinstance(kind, list | tuple):
        choices, type_name = tuple(kind), "COMBO"
    elif kind == "COMBO":
        choices, type_name = tuple(opts.get("options") or ()), "COMBO"
    else:
        type_name = _type_name(kind)
    return InputSpec(
        name=name,
        type=type_name,
        section=section,
        default=_json_value(opts.get("default")),
        min=_number(opts.get("min")),
        max=_number(opts.get("max")),
        step=_number(opts.get("step")),
        choices=choices,
        multiline=bool(opts.get("multiline", False)),
        force_input=bool(opts.get("forceInput", False)),
        options=opts,
    )


def _type_name(kind: Any) -> str:
    if isinstance(kind, list | tuple):
        return "COMBO"
    return str(kind)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def _json_value(value: Any) -> ParamValue:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return None
