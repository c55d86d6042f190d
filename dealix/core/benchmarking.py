"""Helpers for `manage.py bench`: each app may have a `bench.py` whose `FIGURES` is a list of functions
returning one figure (a dict) each. Figures follow one shape so they can be compared over time:
{"name": ..., "unit": ..., "value": ...} and, for latencies, p50_ms, p95_ms, n and queries."""
from __future__ import annotations

import statistics
import time
from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def latency_figure(name: str, samples_ms: list[float], queries: int | None, **extra) -> dict:
    return {"name": name, "unit": "ms", "value": round(statistics.median(samples_ms), 1),
            "p50_ms": round(percentile(samples_ms, 0.5), 1), "p95_ms": round(percentile(samples_ms, 0.95), 1),
            "n": len(samples_ms), "queries": queries, **extra}


@contextmanager
def timed():
    """`with timed() as t: ...` then `t.ms` and `t.queries`."""
    class Result:
        ms = 0.0
        queries = 0
    result = Result()
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        yield result
        result.ms = (time.perf_counter() - started) * 1000
    result.queries = len(captured.captured_queries)
