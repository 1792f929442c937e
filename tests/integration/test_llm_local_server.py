"""The real managed local LLM: hash refusal, serve/status/stop, and grammar-constrained completions."""

from __future__ import annotations

import concurrent.futures
import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from anysym.errors import ALangSemanticError, LocalServiceError
from anysym.language.catalog import Catalog
from anysym.language.flow import Flow
from anysym.language.gbnf import build_grammar
from anysym.language.syntax import SYNTAXES, Syntax, parse, render
from anysym.language.types import types_compatible
from anysym.llm.chat import LLMClient
from anysym.llm.probe import GrammarProbe
from anysym.llm.settings import LLMSettings
from anysym.services.llm.install import verify_model
from anysym.services.llm.server import LocalLLM
from anysym.settings import Paths

PORT = 8781
IMAGE_TYPES = ["LoadImage", "ImageInvert", "ImageScale", "ImageBlur", "SaveImage"]
EXAMPLE = (
    'load = LoadImage(image="cat.png")\n'
    "blur = ImageBlur(blur_radius=3, sigma=1.0, image=load)\n"
    'save = SaveImage(filename_prefix="blurred", images=blur)\n'
)
TASK = "Invert the colors of photo.png and scale it to 256x256, then save it."


def installed() -> LocalLLM:
    """The machine's installed local LLM; fails (never skips) with the fix when it is missing."""
    local = LocalLLM(Paths.from_env(os.environ))
    if not local.runtime_installed or not local.model_path.is_file():
        pytest.fail("the local LLM is not installed: run ./scripts/setup.sh (or `anysym llm install`)")
    return local


def _mirror(source: LocalLLM, home: Path, *, copy_model: bool) -> LocalLLM:
    """A LocalLLM in a temp home that shares the built binaries and links or copies the model file."""
    local = LocalLLM(Paths(home=home), port=PORT)
    local.home.mkdir(parents=True)
    local.bin_dir.parent.mkdir()
    local.bin_dir.symlink_to(source.bin_dir)
    shutil.copy(source.runtime_marker, local.runtime_marker)
    local.model_path.parent.mkdir()
    if copy_model:
        shutil.copy(source.model_path, local.model_path)
    else:
        local.model_path.symlink_to(source.model_path)
    return local


def test_corrupted_or_substituted_model_is_refused(tmp_path: Path) -> None:
    local = _mirror(installed(), tmp_path / "home", copy_model=True)
    verify_model(local.model_path, local.spec)  # the pristine copy passes
    with local.model_path.open("r+b") as handle:
        handle.seek(local.spec.size // 2)
        byte = handle.read(1)
        handle.seek(local.spec.size // 2)
        handle.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(LocalServiceError, match="model file corrupted or substituted") as caught:
        local.serve(timeout=30)
    assert "anysym llm install --force" in str(caught.value)
    assert local.running_pid() is None
    local.model_path.write_bytes(b"GGUF not the pinned model")
    with pytest.raises(LocalServiceError, match="corrupted or substituted"):
        local.serve(timeout=30)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalLLM]:
    local = _mirror(installed(), tmp_path_factory.mktemp("llm") / "home", copy_model=False)
    local.serve(timeout=120)
    try:
        yield local
    finally:
        local.stop()


@pytest.fixture(scope="module")
def image_catalog(object_info: dict[str, object]) -> Catalog:
    return Catalog.from_object_info(object_info).subset(IMAGE_TYPES)


def test_status_reports_memory_and_speed(served: LocalLLM) -> None:
    state = served.status(measure=True)
    assert state.running and state.pid is not None and state.served_model == "qwen2.5-coder-0.5b"
    assert state.rss_bytes is not None and state.rss_bytes > 200 * 2**20
    assert state.tokens_per_s is not None and state.tokens_per_s > 0
    assert GrammarProbe().supports(LLMSettings(base_url=served.url, model=served.spec.alias))


def _client(served: LocalLLM) -> LLMClient:
    return LLMClient.from_settings(LLMSettings(base_url=served.url, model=served.spec.alias, max_tokens=200))


def _messages(syntax: Syntax, catalog: Catalog, instruction: str) -> list[SystemMessage | HumanMessage]:
    example = render(parse(EXAMPLE, "dataflow"), syntax)
    names = ", ".join(catalog)
    return [
        SystemMessage(f"You write ComfyUI workflows in this syntax:\n{example}\nNode types: {names}."),
        HumanMessage(f"Task: {TASK}\n{instruction}"),
    ]


@pytest.mark.parametrize("syntax", SYNTAXES)
async def test_constrained_full_program_parses(
    served: LocalLLM, image_catalog: Catalog, syntax: Syntax
) -> None:
    client = _client(served)
    grammar = build_grammar(image_catalog, syntax)
    completion = await client.complete(
        _messages(syntax, image_catalog, "Write the whole program."), stage="full", grammar=grammar
    )
    try:
        flow = parse(completion.text, syntax)
    except ALangSemanticError as error:  # ids a context-free grammar cannot track
        assert {d.kind.value for d in error.diagnostics} <= {"unknown_link_source", "duplicate_function"}
        return
    assert flow.functions and set(flow.node_types()) <= set(IMAGE_TYPES), completion.text
    assert completion.output_tokens > 0 and completion.input_tokens > 0


@pytest.mark.parametrize("syntax", SYNTAXES)
async def test_constrained_links_complete_the_graph(
    served: LocalLLM, image_catalog: Catalog, syntax: Syntax
) -> None:
    components = Flow.from_json(
        json.dumps(
            {
                "functions": {
                    "load": {"type": "LoadImage", "params": {"image": "photo.png"}},
                    "invert": {"type": "ImageInvert", "params": {}},
                    "scale": {"type": "ImageScale", "params": {"width": 256, "height": 256}},
                    "save": {"type": "SaveImage", "params": {"filename_prefix": "out"}},
                },
                "links": [],
            }
        )
    )
    client = _client(served)
    grammar = build_grammar(image_catalog, syntax, part="links", flow=components)
    listing = render(components, syntax)
    completion = await client.complete(
        _messages(syntax, image_catalog, f"These are the functions:\n{listing}\nNow add the links."),
        stage="infer_topology",
        grammar=grammar,
    )
    text = listing + completion.text if syntax == "declarative" else completion.text
    flow = parse(text, syntax)
    assert list(flow.functions) == ["load", "invert", "scale", "save"]
    linked = {(link.target, link.input) for link in flow.links}
    assert {("invert", "image"), ("scale", "image"), ("save", "images")} <= linked, text
    for link in flow.links:
        source = image_catalog[flow.functions[link.source].type].output(link.output)
        target = image_catalog[flow.functions[link.target].type].input(link.input)
        assert source is not None and target is not None and types_compatible(source.type, target.type)


def test_a_busy_server_is_reused_not_restarted(served: LocalLLM) -> None:
    """A server busy with a completion is reused, never restarted under the request in flight."""
    pid = served.running_pid()
    body = {
        "model": served.spec.alias,
        "messages": [{"role": "user", "content": "Count from 1 to 300, one number per line."}],
        "max_tokens": 300,
        "ignore_eos": True,  # llama-server: exactly 300 tokens (~8 s), however the model would stop
    }
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        busy = pool.submit(httpx.post, f"{served.url}/chat/completions", json=body, timeout=600)
        time.sleep(1.5)
        assert not busy.done(), "the completion finished too early to prove anything"
        assert served.serve(timeout=5) == served.url
        assert served.running_pid() == pid
        assert busy.result().status_code == 200  # the request in flight was not killed


def test_our_running_server_is_reused_without_hashing_the_model_again(
    served: LocalLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file was checked when the server started; every `anysym run` need not hash it again."""

    def hashed(*_: object) -> None:
        raise AssertionError("the model was hashed again for a server that already runs it")

    monkeypatch.setattr("anysym.services.llm.server.verify_model", hashed)
    assert served.serve(timeout=5) == served.url
