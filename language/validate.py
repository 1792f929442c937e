"""Static validation of a flow against a node catalog: `validate(flow, catalog) -> list[Diagnostic]`.

The verdicts follow ComfyUI's own `/prompt` validation (unknown node types, required inputs, `int()` /
`float()` casts, min/max, combo choices, links to missing nodes, no output node) and add what the server
only finds at run time or never: link type mismatches, unknown input names, list values, two links or a
value and a link on one input, cycles, path traversal in input file names, unused functions. Documented
decisions:

- a required widget with a catalog default (or a COMBO with choices) may be omitted: `fill_defaults`
  fills it at compile time;
- inputs with `image_upload` (and other input-file combos whose snapshot list is empty) accept any plain
  file name, because anysym uploads the files right before queueing; `..` and absolute paths are rejected;
- hidden inputs (`prompt`, `extra_pnginfo`, `unique_id`) given by the author are a warning: the server
  overwrites them; so are the editor's own widgets that its API exports carry (`upload`,
  `control_after_generate`): the server ignores them;
- link types: see `anysym.language.types` (`*`, unions, COMBO only from COMBO, widgets from their type).

Diagnostics come in a deterministic order: by function (author order), then by port (catalog order, then
unknown ports in author order); cycles and the missing-output-node error come last.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any

from anysym.language.catalog import Catalog, InputSpec, NodeSpec
from anysym.language.defaults import fill_defaults, has_default
from anysym.language.diagnostics import Diagnostic, DiagnosticKind, Severity
from anysym.language.flow import Flow, Function, Link
from anysym.language.types import types_compatible
from anysym.language.validate_graph import check_cycles, check_depth, check_outputs, unused_output
from anysym.language.validate_values import article, check_value, is_file_input, where

__all__ = ["EDITOR_ONLY_INPUTS", "fill_defaults", "validate"]

_Ports = dict[str, list[Link]]
EDITOR_ONLY_INPUTS = frozenset({"upload", "control_after_generate", "control_before_generate"})
"""Widgets ComfyUI's editor adds to nodes (an upload button, a seed's control) and writes into its API
exports (`LoadImage.upload = "image"`); the server ignores them."""


def validate(flow: Flow, catalog: Catalog) -> list[Diagnostic]:
    """Check `flow` against `catalog`; return every problem found (empty when the flow is valid).

    Never raises on bad user input. Errors block compilation; warnings (`unused_output`, `hidden_input`)
    do not.
    """
    links_in: dict[str, _Ports] = {}
    consumed: set[str] = set()
    for link in flow.links:
        links_in.setdefault(link.target, {}).setdefault(link.input, []).append(link)
        consumed.add(link.source)
    checker = _Checker(flow, catalog)
    diagnostics: list[Diagnostic] = []
    unknown: dict[str, list[str]] = {}
    for function_id, function in flow.functions.items():
        spec = catalog.get(function.type)
        if spec is None:
            unknown.setdefault(function.type, []).append(function_id)
            continue
        diagnostics.extend(checker.function(function_id, function, spec, links_in.get(function_id, {})))
        if not spec.output_node and spec.outputs and function_id not in consumed:
            diagnostics.append(unused_output(function_id, spec.name, [o.name for o in spec.outputs]))
    diagnostics[:0] = [_unknown_function(node_type, ids, catalog) for node_type, ids in unknown.items()]
    diagnostics.extend(check_cycles(flow))
    diagnostics.extend(check_depth(flow))
    diagnostics.extend(check_outputs(flow, catalog))
    return diagnostics


def _unknown_function(node_type: str, function_ids: list[str], catalog: Catalog) -> Diagnostic:
    """One error per unknown node type, naming the functions that use it (the first is `function`)."""
    wanted = _squash(node_type)
    by_title = [n.name for n in catalog.nodes() if wanted in (_squash(n.display_name), _squash(n.name))]
    close = list(dict.fromkeys(by_title + catalog.closest(node_type)))[:3]
    shown = ", ".join(f'"{f}"' for f in function_ids[:5]) + (", ..." if len(function_ids) > 5 else "")
    who = (
        f"function {shown} uses" if len(function_ids) == 1 else f"{len(function_ids)} functions ({shown}) use"
    )
    message = f"{who} the node type {node_type!r}, which the server does not have; " + (
        f"write the type name {by_title[0]!r}" if by_title else "use a node type from the catalog"
    )
    return Diagnostic(
        kind=DiagnosticKind.UNKNOWN_FUNCTION,
        message=message,
        function=function_ids[0],
        hint=f"closest node types: {', '.join(close)}" if close else None,
    )


def _squash(name: str) -> str:
    """Compare type names loosely: "Load Image", "load_image" and "LoadImage" are one name."""
    return "".join(ch for ch in name.lower() if ch.isalnum())


class _Checker:
    """Per-call state: the flow, the catalog, and lazily built lookups for hints."""

    def __init__(self, flow: Flow, catalog: Catalog) -> None:
        self.flow = flow
        self.catalog = catalog
        self._producers: dict[str, list[str]] | None = None

    def function(
        self, function_id: str, function: Function, spec: NodeSpec, ports: _Ports
    ) -> list[Diagnostic]:
        """Check one function of a known type: every declared port, then unknown ports."""
        found: list[Diagnostic] = []
        params = function.params
        for name, inp in spec.inputs.items():
            links = ports.get(name, [])
            if name in params or links:
                found.extend(self._port(function_id, spec, inp, params.get(name), name in params, links))
            elif inp.section == "required" and not has_default(inp):
                found.append(self._missing(function_id, spec, inp))
        unknown = [n for n in params if n not in spec.inputs]
        unknown += [n for n in ports if n not in spec.inputs and n not in params]
        for name in unknown:
            found.append(_unknown_input(function_id, spec, name))
        return found

    def _port(
        self,
        function_id: str,
        spec: NodeSpec,
        inp: InputSpec,
        value: Any,
        has_value: bool,
        links: Sequence[Link],
    ) -> list[Diagnostic]:
        at = where(function_id, spec.name, inp.name)
        if inp.section == "hidden":
            return [
                Diagnostic(
                    kind=DiagnosticKind.HIDDEN_INPUT,
                    severity=Severity.WARNING,
                    message=f"{at} is filled by the server ({inp.type}) and your value is ignored; remove it",
                    function=function_id,
                    port=inp.name,
                )
            ]
        found: list[Diagnostic] = []
        if len(links) > 1:
            sources = ", ".join(f'"{lk.source}"' for lk in links)
            found.append(
                _at(
                    DiagnosticKind.DUPLICATE_LINK,
                    f"{at} has {len(links)} links (from {sources}); an input takes one link, keep one",
                    function_id,
                    inp.name,
                )
            )
        if has_value and links:
            found.append(
                _at(
                    DiagnosticKind.VALUE_AND_LINK,
                    f'{at} has both the value {value!r} and a link from "{links[0].source}"; '
                    "keep one: remove the value or the link",
                    function_id,
                    inp.name,
                )
            )
        for link in links:
            problem = self._link(function_id, spec, inp, link)
            if problem is not None:
                found.append(problem)
        if has_value and not links:
            problem = check_value(function_id, spec.name, inp, value)
            if problem is not None:
                found.append(problem)
        return found

    def _link(self, function_id: str, spec: NodeSpec, inp: InputSpec, link: Link) -> Diagnostic | None:
        source = self.flow.functions[link.source]
        source_spec = self.catalog.get(source.type)
        if source_spec is None:
            return None  # reported as unknown_function on the source
        out = source_spec.output(link.output)
        at = where(function_id, spec.name, inp.name)
        src = f'function "{link.source}" ({source.type})'
        if out is None:
            outputs = ", ".join(f"{o.name} ({o.index})" for o in source_spec.outputs) or "none"
            return _at(
                DiagnosticKind.UNKNOWN_OUTPUT,
                f"{at} reads output {link.output!r} of {src}, which has no such output; "
                f"use one of its outputs: {outputs}",
                function_id,
                inp.name,
            )
        if types_compatible(out.type, inp.type):
            return None
        expected = "a COMBO choice" if inp.type == "COMBO" else inp.type
        fix = (
            "write the choice as a literal value instead"
            if inp.type == "COMBO"
            else f"connect an output of type {inp.type} instead"
        )
        return _at(
            DiagnosticKind.TYPE_MISMATCH,
            f"{at} expects {expected} but output {out.name!r} of {src} is {out.type}; {fix}",
            function_id,
            inp.name,
            self._producer_hint(inp.type, function_id) if inp.type != "COMBO" else None,
        )

    def _missing(self, function_id: str, spec: NodeSpec, inp: InputSpec) -> Diagnostic:
        at = where(function_id, spec.name, inp.name)
        hint = None
        if is_file_input(inp):
            what = "needs a file name; give one, e.g. 'photo.png'"
        elif inp.type == "COMBO" and not inp.choices:
            what = "needs a model file, but the server has none installed for it; install one on the server"
        elif inp.type in ("INT", "FLOAT", "STRING", "BOOLEAN") and not inp.force_input:
            what = f"is required and has no default; give it {article(inp.type)} value"
        else:
            what = f"is required but not connected; link {article(inp.type)} output to it"
            hint = self._producer_hint(inp.type, function_id)
        return _at(DiagnosticKind.MISSING_INPUT, f"required {at} {what}", function_id, inp.name, hint)

    def _producer_hint(self, type_name: str, exclude: str) -> str | None:
        if self._producers is None:
            self._producers = {}
            for fid, function in self.flow.functions.items():
                spec = self.catalog.get(function.type)
                for out in spec.outputs if spec is not None else ():
                    self._producers.setdefault(out.type, []).append(f"{fid}.{out.name}")
        found = [p for p in self._producers.get(type_name, []) if not p.startswith(exclude + ".")]
        if found:
            return f"{type_name} outputs in this flow: {', '.join(found[:6])}"
        makers = [n.name for n in self.catalog.nodes() if any(o.type == type_name for o in n.outputs)]
        return f"node types with {article(type_name)} output: {', '.join(makers[:6])}" if makers else None


def _unknown_input(function_id: str, spec: NodeSpec, name: str) -> Diagnostic:
    if name in EDITOR_ONLY_INPUTS:
        return Diagnostic(
            kind=DiagnosticKind.UNKNOWN_INPUT,
            severity=Severity.WARNING,
            message=f'function "{function_id}" ({spec.name}) has the editor-only input {name!r}; the server '
            "ignores it",
            function=function_id,
            port=name,
        )
    names = [i.name for i in spec.visible_inputs()]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    return _at(
        DiagnosticKind.UNKNOWN_INPUT,
        f'function "{function_id}" ({spec.name}) has no input {name!r}; '
        f"its inputs: {', '.join(names) if names else 'none'}",
        function_id,
        name,
        f"did you mean {close[0]!r}?" if close else None,
    )


def _at(kind: DiagnosticKind, message: str, function: str, port: str, hint: str | None = None) -> Diagnostic:
    return Diagnostic(kind=kind, message=message, function=function, port=port, hint=hint)


def validate_api(prompt: Mapping[str, Any], catalog: Catalog) -> list[Diagnostic]:
    """Validate a ComfyUI API prompt (see `anysym.language.validate_api.validate_api`)."""
    from anysym.language.validate_api import validate_api as _validate_api

    return _validate_api(prompt, catalog)
