"""The managed local LLM: llama.cpp's llama-server built natively, its flags, models, install and status."""
