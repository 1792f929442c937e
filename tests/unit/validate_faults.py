"""Fault-injection corpus for `validate`: valid workflows built from the real snapshot's node types, and
every fault class applied to every function it applies to, each with the diagnostic it must produce."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from anysym.language.catalog import Catalog, NodeSpec
from anysym.language.comfy_format import to_api
from anysym.language.diagnostics import Diagnostic, DiagnosticKind
from anysym.language.flow import Flow, Function, Link, ParamValue
from anysym.language.validate import validate
from anysym.language.validate_api import validate_api
from anysym.language.validate_values import OUTPUT_PREFIX_INPUT, is_file_input

K = DiagnosticKind

CHECKPOINT_FRAGMENT: dict[str, Any] = {
    "CheckpointLoaderSimple": {
        "input": {"required": {"ckpt_name": [["tiny_sd15.safetensors", "other.safetensors"]]}},
        "output": ["MODEL", "CLIP", "VAE"],
        "output_is_list": [False, False, False],
        "output_name": ["MODEL", "CLIP", "VAE"],
        "name": "CheckpointLoaderSimple",
        "output_node": False,
    }
}
"""The snapshot lists no checkpoints; this fragment gives the text-to-image workflow one to choose."""

Spec = dict[str, tuple[str, dict[str, ParamValue], dict[str, tuple[str, str | int]]]]

WORKFLOWS: dict[str, Spec] = {
    "invert_scale": {
        "load": ("LoadImage", {"image": "photo.png"}, {}),
        "inv": ("ImageInvert", {}, {"image": ("load", "IMAGE")}),
        "scale": ("ImageScale",
                  {"upscale_method": "bilinear", "width": 128, "height": 96, "crop": "disabled"},
                  {"image": ("inv", 0)}),
        "save": ("SaveImage", {"filename_prefix": "inv"}, {"images": ("scale", "IMAGE")}),
    },
    "blend": {
        "a": ("LoadImage", {"image": "a.png"}, {}),
        "b": ("LoadImage", {"image": "b.png"}, {}),
        "mix": ("ImageBlend", {"blend_factor": 0.3, "blend_mode": "multiply"},
                {"image1": ("a", "IMAGE"), "image2": ("b", "IMAGE")}),
        "show": ("PreviewImage", {}, {"images": ("mix", "IMAGE")}),
    },
    "mask_composite": {
        "photo": ("LoadImage", {"image": "photo.png"}, {}),
        "m": ("ImageToMask", {"channel": "red"}, {"image": ("photo", "IMAGE")}),
        "solid": ("SolidMask", {"value": 1.0, "width": 64, "height": 64}, {}),
        "comp": ("MaskComposite", {"x": 8, "y": 8, "operation": "add"},
                 {"destination": ("m", "MASK"), "source": ("solid", "MASK")}),
        "grow": ("GrowMask", {"expand": 2, "tapered_corners": True}, {"mask": ("comp", "MASK")}),
        "img": ("MaskToImage", {}, {"mask": ("grow", "MASK")}),
        "save": ("SaveImage", {"filename_prefix": "mask"}, {"images": ("img", "IMAGE")}),
    },
    "outpaint_pad": {
        "photo": ("LoadImage", {"image": "photo.png"}, {}),
        "pad": ("ImagePadForOutpaint", {"left": 64, "top": 0, "right": 64, "bottom": 0, "feathering": 40},
                {"image": ("photo", "IMAGE")}),
        "blur": ("ImageBlur", {"blur_radius": 3, "sigma": 1.5}, {"image": ("pad", "IMAGE")}),
        "comp": ("ImageCompositeMasked", {"x": 0, "y": 0, "resize_source": False},
                 {"destination": ("pad", "IMAGE"), "source": ("blur", "IMAGE"), "mask": ("pad", "MASK")}),
        "save": ("SaveImage", {"filename_prefix": "outpaint"}, {"images": ("comp", "IMAGE")}),
        "mask_img": ("MaskToImage", {}, {"mask": ("pad", 1)}),
        "show": ("PreviewImage", {}, {"images": ("mask_img", "IMAGE")}),
    },
    "latent_taesd": {
        "empty": ("EmptyLatentImage", {"width": 64, "height": 64, "batch_size": 2}, {}),
        "up": ("LatentUpscaleBy", {"upscale_method": "bilinear", "scale_by": 1.5}, {"samples": ("empty", 0)}),
        "flip": ("LatentFlip", {"flip_method": "x-axis: vertically"}, {"samples": ("up", "LATENT")}),
        "vae": ("VAELoader", {"vae_name": "taesd"}, {}),
        "dec": ("VAEDecode", {}, {"samples": ("flip", "LATENT"), "vae": ("vae", "VAE")}),
        "inv": ("ImageInvert", {}, {"image": ("dec", "IMAGE")}),
        "save": ("SaveImage", {"filename_prefix": "latent"}, {"images": ("inv", "IMAGE")}),
    },
    "text_to_image": {
        "ckpt": ("CheckpointLoaderSimple", {"ckpt_name": "tiny_sd15.safetensors"}, {}),
        "pos": ("CLIPTextEncode", {"text": "a lighthouse at dusk"}, {"clip": ("ckpt", "CLIP")}),
        "neg": ("CLIPTextEncode", {"text": "blurry"}, {"clip": ("ckpt", 1)}),
        "latent": ("EmptyLatentImage", {"width": 512, "height": 512, "batch_size": 1}, {}),
        "sampler": ("KSampler", {"seed": 7, "steps": 20, "cfg": 7.5, "sampler_name": "euler",
                                 "scheduler": "normal", "denoise": 1.0},
                    {"model": ("ckpt", "MODEL"), "positive": ("pos", 0), "negative": ("neg", 0),
                     "latent_image": ("latent", "LATENT")}),
        "dec": ("VAEDecode", {}, {"samples": ("sampler", "LATENT"), "vae": ("ckpt", "VAE")}),
        "save": ("SaveImage", {"filename_prefix": "t2i"}, {"images": ("dec", "IMAGE")}),
    },
    "arithmetic_widgets": {
        "w": ("IntAdd", {"value0": 32, "value1": 32}, {}),
        "h": ("IntMultiply", {"value0": 16, "value1": 4}, {}),
        "canvas": ("EmptyImage", {"batch_size": 1, "color": 255},
                   {"width": ("w", "INT"), "height": ("h", 0)}),
        "blur": ("ImageBlur", {"blur_radius": 2, "sigma": 1.0}, {"image": ("canvas", "IMAGE")}),
        "save": ("SaveImage", {"filename_prefix": "canvas"}, {"images": ("blur", "IMAGE")}),
    },
    "strings": {
        "s1": ("StringRequestParameter", {"value": "hello"}, {}),
        "s2": ("StringRequestParameter", {"value": "world"}, {}),
        "join": ("StringJoin", {"separator": " "}, {"value0": ("s1", "STRING"), "value1": ("s2", 0)}),
        "show": ("PreviewString", {}, {"value": ("join", "STRING")}),
    },
    "latent_save": {
        "empty": ("EmptyLatentImage", {"width": 64, "height": 64, "batch_size": 2}, {}),
        "up": ("LatentUpscale",
               {"upscale_method": "nearest-exact", "width": 96, "height": 96, "crop": "disabled"},
               {"samples": ("empty", "LATENT")}),
        "pick": ("LatentFromBatch", {"batch_index": 1, "length": 1}, {"samples": ("up", "LATENT")}),
        "save": ("SaveLatent", {"filename_prefix": "latents/ci"}, {"samples": ("pick", "LATENT")}),
    },
}  # fmt: skip
"""Valid workflows, `{id: (node type, params, {input: (source id, output name or index)})}`."""

# Functions without required sockets, used to feed a link of the wrong type (type_mismatch faults).
INTRUDERS: tuple[tuple[str, dict[str, ParamValue]], ...] = (
    ("EmptyLatentImage", {"width": 64, "height": 64, "batch_size": 1}),
    ("SolidMask", {"value": 1.0, "width": 64, "height": 64}),
)


def corpus_catalog(snapshot: Catalog) -> Catalog:
    """The real snapshot plus a checkpoint fragment (the snapshot's checkpoint list is empty)."""
    return snapshot.merged(Catalog.from_object_info(CHECKPOINT_FRAGMENT))


def build_flow(spec: Spec) -> Flow:
    """Turn a `WORKFLOWS` entry into a Flow."""
    functions = {fid: Function(type=t, params=dict(params)) for fid, (t, params, _) in spec.items()}
    links = [
        Link(source=src, output=out, target=fid, input=name)
        for fid, (_, _, ins) in spec.items()
        for name, (src, out) in ins.items()
    ]
    return Flow.build(functions, links)


@dataclass(frozen=True)
class Fault:
    """One injected fault and the diagnostic `validate` must report for it."""

    fault_class: str
    workflow: str
    kind: DiagnosticKind
    function: str | None
    port: str | None
    flow: Flow | None = None
    api: dict[str, Any] | None = None
    message_has: str = ""

    def diagnose(self, catalog: Catalog) -> list[Diagnostic]:
        """Run the validator this fault is written for (API prompts go through `validate_api`)."""
        if self.api is not None:
            return validate_api(self.api, catalog)
        assert self.flow is not None
        return validate(self.flow, catalog)

    def found_in(self, diagnostics: list[Diagnostic]) -> bool:
        """Whether the expected diagnostic (kind, function, port, message text) is among `diagnostics`."""
        return any(
            d.kind is self.kind
            and (self.function is None or d.function == self.function or f'"{self.function}"' in d.message)
            and (self.port is None or d.port == self.port)
            and self.message_has in d.message
            for d in diagnostics
        )


Injector = Callable[[str, Flow, Catalog], Iterator[Fault]]


def _set_param(flow: Flow, fid: str, name: str, value: ParamValue) -> Flow:
    return flow.with_params(fid, {**flow.functions[fid].params, name: value})


def _drop_param(flow: Flow, fid: str, name: str) -> Flow:
    return flow.with_params(fid, {k: v for k, v in flow.functions[fid].params.items() if k != name})


def _replace_link(flow: Flow, old: Link, new: Link | None) -> Flow:
    return flow.with_links([lk for lk in flow.links if lk != old] + ([new] if new else []))


def _spec(flow: Flow, fid: str, catalog: Catalog) -> NodeSpec:
    return catalog[flow.functions[fid].type]


def _downstream(flow: Flow, start: str) -> list[str]:
    seen, todo = [start], [start]
    while todo:
        current = todo.pop()
        for link in flow.links_from(current):
            if link.target not in seen:
                seen.append(link.target)
                todo.append(link.target)
    return seen


def unknown_function(wf: str, flow: Flow, catalog: Catalog) -> Iterator[Fault]:
    for fid, function in flow.functions.items():
        t = function.type
        typo = t[: len(t) // 2] + t[len(t) // 2 + 1 :]  # drop one letter in the middle
        bad = flow.with_function(fid, Function(type=typo, params=function.params))
        yield Fault("unknown_function", wf, K.UNKNOWN_FUNCTION, fid, None, bad)


def unknown_input(wf: str, flow: Flow, catalog: Catalog) -> Iterator[Fault]:
    for fid in flow.functions:
        yield Fault(
            "unknown_input", wf, K.UNKNOWN_INPUT, fid, "bogus_input", _set_param(flow, fid, "bogus_input", 1)
        )


def missing_input(wf: str, flow: Flow, catalog: Catalog) -> Iterator[Fault]:
    for fid in flow.functions:
        for inp in _spec(flow, fid, catalog).required_inputs():
            if inp.type in ("INT", "FLOAT", "STRING", "BOOLEAN") and inp.default is not None:
                continue
            if inp.type == "COMBO" and inp.choices and not is_file_input(inp):
                continue
            linked = [lk for lk in flow.links_into(fid) if lk.input == inp.name]
            if linked:
                bad = _replace_link(flow, linked[0], None)
            elif inp.name in flow.functions[fid].params:
                bad = _drop_param(flow, fid, inp.name)
            else:
                continue
            yield Fault("missing_input", wf, K.MISSING_INPUT, fid, inp.name, bad)


def unknown_output(wf: str, flow: Flow, catalog: Catalog) -> Iterator[Fault]:
    for link in flow.links:
        n_out = len(_spec(flow, link.source, catalog).outputs)
        for ref in ("NO_SUCH_OUTPUT", n_out):
            bad = _replace_link(flow, link, link.model_copy(update={"output": ref}))
            yield Fault("unknown_output", wf, K.UNKNOWN_OUTPUT, link.target, link.input, bad)


def type_mismatch(wf: str, flow: Flow, catalog: Catalog) -> Iterator[Fault]:
    for link in flow.links:
        wanted = _spec(flow, link.target, catalog).inputs[link.input].type
        node_type, params = next(i for i in INTRUDERS if catalog[i[0]].outputs[0].type != wanted)
        bad = flow.with_function("intruder", Function(type=node_type, params=params))
        bad = _replace_link(bad, link, link.model_copy(update={"source": "intruder", "output": 0}))
        yield Fault("type_mismatch", wf, K.TYPE_MISMATCH, link.target, link.input, bad)


def literal_faults(wf: str, flow: Flow, catalog: Catalog) -> Iterator[Fault]:
    """wrong_value_type, list_value, value_not_in_list, value_out_of_range, path_traversal,
    output_path_traversal."""
    wrong: dict[str, ParamValue] = {"INT": "abc", "FLOAT": "1.5x", "BOOLEAN": "yes", "STRING": True}
    for fid, function in flow.functions.items():
        spec = _spec(flow, fid, catalog)
        for name, value in function.params.items():
            inp = spec.inputs[name]
            yield Fault(
                "list_value", wf, K.WRONG_VALUE_TYPE, fid, name, _set_param(flow, fid, name, [value, value])
            )
            if inp.type in wrong:
                bad = _set_param(flow, fid, name, wrong[inp.type])
                yield Fault("wrong_value_type", wf, K.WRONG_VALUE_TYPE, fid, name, bad)
            if inp.type == "COMBO" and is_file_input(inp):
                for path in ("../../etc/passwd", "/etc/hosts", "sub/../../x.png"):
                    bad = _set_param(flow, fid, name, path)
                    yield Fault("path_traversal", wf, K.INVALID_INPUT_FILE, fid, name, bad)
            elif inp.type == "STRING" and name == OUTPUT_PREFIX_INPUT:
                for path in ("../x", "/tmp/x", "a/../../x"):
                    bad = _set_param(flow, fid, name, path)
                    yield Fault("output_path_traversal", wf, K.INVALID_OUTPUT_PATH, fid, name, bad)
            elif inp.type == "COMBO":
                text = "model file not installed" if inp.is_model_file else "not a choice"
                bad = _set_param(flow, fid, name, "not_a_choice.safetensors")
                yield Fault("value_not_in_list", wf, K.VALUE_NOT_IN_LIST, fid, name, bad, message_has=text)
            if inp.type in ("INT", "FLOAT") and (inp.max is not None or inp.min is not None):
                over = int(inp.max) + 1 if inp.max is not None else int(inp.min or 0) - 1
                bad = _set_param(flow, fid, name, over if inp.type == "INT" else float(over))
                yield Fault("value_out_of_range", wf, K.VALUE_OUT_OF_RANGE, fid, name, bad)


def link_faults(wf: str, flow: Flow, catalog: Catalog) -> Iterator[Fault]:
    """duplicate_link, value_and_link, cycle, dangling link (API form)."""
    for link in flow.links:
        out = _spec(flow, link.source, catalog).output(link.output)
        assert out is not None
        twin = link.model_copy(update={"output": out.index if isinstance(link.output, str) else out.name})
        bad = flow.with_links([*flow.links, twin])
        yield Fault("duplicate_link", wf, K.DUPLICATE_LINK, link.target, link.input, bad)
        bad = _set_param(flow, link.target, link.input, 1)
        yield Fault("value_and_link", wf, K.VALUE_AND_LINK, link.target, link.input, bad)
        wanted = _spec(flow, link.target, catalog).inputs[link.input].type
        for late in reversed(_downstream(flow, link.target)):
            late_spec = _spec(flow, late, catalog)
            match = next((o for o in late_spec.outputs if o.type == wanted), None)
            if match is not None:
                bad = _replace_link(
                    flow, link, link.model_copy(update={"source": late, "output": match.index})
                )
                yield Fault("cycle", wf, K.CYCLE, link.target, None, bad)
                break
        api = copy.deepcopy(to_api(flow, catalog))
        api[link.target]["inputs"][link.input] = ["missing_99", 0]
        yield Fault("dangling_link", wf, K.UNKNOWN_LINK_SOURCE, link.target, link.input, api=api)


def graph_faults(wf: str, flow: Flow, catalog: Catalog) -> Iterator[Fault]:
    """no_output_node (per workflow), unused_output, hidden_input."""
    bad = flow
    for fid in flow.functions:
        if _spec(flow, fid, catalog).output_node:
            bad = bad.without_function(fid)
    yield Fault("no_output_node", wf, K.NO_OUTPUT_NODE, None, None, bad)
    for fid, function in flow.functions.items():
        spec = _spec(flow, fid, catalog)
        if not spec.output_node and spec.outputs:
            copy_id = f"{fid}_unused"
            extra = [lk.model_copy(update={"target": copy_id}) for lk in flow.links_into(fid)]
            bad = flow.with_function(copy_id, function).with_links([*flow.links, *extra])
            yield Fault("unused_output", wf, K.UNUSED_OUTPUT, copy_id, None, bad)
        for inp in spec.inputs.values():
            if inp.section == "hidden":
                bad = _set_param(flow, fid, inp.name, "x")
                yield Fault("hidden_input", wf, K.HIDDEN_INPUT, fid, inp.name, bad)


INJECTORS: tuple[Injector, ...] = (
    unknown_function,
    unknown_input,
    missing_input,
    unknown_output,
    type_mismatch,
    literal_faults,
    link_faults,
    graph_faults,
)


def build_corpus(catalog: Catalog) -> list[Fault]:
    """Apply every fault class to every applicable function of every workflow in `WORKFLOWS`."""
    faults: list[Fault] = []
    for name, spec in WORKFLOWS.items():
        flow = build_flow(spec)
        for inject in INJECTORS:
            faults.extend(inject(name, flow, catalog))
    return faults
