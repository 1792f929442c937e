"""Reading a streamed HTTP body under one total deadline (httpx's timeouts bound each read only)."""

from __future__ import annotations

import time

import httpx

__all__ = ["BodyTooSlow", "read_within"]


class BodyTooSlow(TimeoutError):
    """The body was still arriving when its deadline passed; `received` bytes had come."""

    def __init__(self, received: int, seconds: float) -> None:
        super().__init__(f"{received:,} bytes in {seconds:g} s and still sending")
        self.received = received
        self.seconds = seconds


def read_within(response: httpx.Response, seconds: float, *, started: float | None = None) -> bytes:
    """The whole body of a streamed `response`, or `BodyTooSlow` once `seconds` have passed.

    A server that trickles a byte every few seconds never trips a per-read timeout; this bounds the sum
    (counted from `started`, a `time.monotonic()` value, default now).
    """
    deadline = (time.monotonic() if started is None else started) + seconds
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if time.monotonic() > deadline:
            raise BodyTooSlow(len(body), seconds)
    return bytes(body)
