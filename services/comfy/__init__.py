"""The managed local CPU ComfyUI: install, serve, status, its launcher and the random-weight model kit."""
