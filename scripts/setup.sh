#!/usr/bin/env bash
# One command that sets up a fresh machine: anysym itself (with its dev tools) and the embedded defaults
# it runs on offline (managed local ComfyUI + random-weight models, managed local LLM, offline embeddings,
# the reference-program index). Idempotent: a second run only checks what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
echo "==> installing anysym, its dev tools, the node documentation, the official workflow templates, PostgreSQL checkpoints, the LangGraph server"
"$PY" -m pip install --disable-pip-version-check -q -e '.[dev,node-docs,templates,postgres,server]'
echo "==> installing the managed local CPU ComfyUI (~1-2 min the first time)"
"$PY" -c "from anysym.cli import main; main()" comfy install --with-random-models
echo "==> installing the managed local LLM (llama.cpp server, compiled once: 4-10 min; Qwen2.5-Coder-0.5B)"
"$PY" -c "from anysym.cli import main; main()" llm install
echo "==> building the reference-program index (offline embeddings, Chroma in the anysym cache)"
"$PY" -c "from anysym.cli import main; main()" index
echo "==> OS packages the integration tests start: Chromium (ComfyUI's editor) and PostgreSQL (checkpoints)"
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "    skipped: needs apt-get as root; install ${missing[*]} yourself for the integration tests"
    fi
fi
