"""The local services anysym installs, starts, finds again and stops: `ManagedServer` and its two kinds.

`comfy/`: the managed CPU ComfyUI (`comfyui==0.0.1` in its own virtualenv), its launcher and the
random-weight model kit. `llm/`: llama.cpp's `llama-server`, built natively, with the bundled models.
`executor/` keeps the ComfyUI protocol and `llm/` (the top-level package) the chat client.
"""
