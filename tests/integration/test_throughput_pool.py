"""Many `agenerate` runs at once over one `ServerPool` of two real local ComfyUI servers.

The throughput benchmark's own check, with short waits: every run succeeds, its output lies in its own
run directory and is its own input inverted (outputs never mixed), and the runs spread evenly over the
servers. How much faster two servers are is the benchmark's claim (`anysym bench throughput`), not a
test's.
"""

from __future__ import annotations

import os

from anysym.bench.throughput_bench import run_bench
from anysym.settings import Paths
from tests.integration.conftest import local_comfy


def test_runs_at_once_share_a_pool_without_mixing_outputs() -> None:
    local_comfy()  # fails with the set-up command when the local ComfyUI is not installed
    report = run_bench(Paths.from_env(os.environ), servers=2, runs=4, wait_s=0.5)
    one, two = report.measurements
    assert (one.servers, two.servers) == (1, 2)
    assert list(one.per_server.values()) == [4]
    assert sorted(two.per_server.values()) == [2, 2]
    assert report.as_json()["measurements"][1]["per_server"] == two.per_server
