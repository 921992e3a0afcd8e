"""The benchmark builds a real index version on a synthetic corpus and reports every figure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.bench import (
    format_table,
    guide_parts,
    run_bench,
    spread,
    synthetic_chunks,
)
from assistant.errors import AssistantError
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SIZE_KEYS = {
    "chunks", "ingest_chunks_per_s", "ingest_note", "index_mb",
    "retrieval_p50_ms", "retrieval_p95_ms", "retrieval_p99_ms",
    "ask_p50_ms", "ask_p95_ms", "ask_p99_ms", "floor_p95_ms", "rss_mb",
}


def test_tiny_bench_reports_every_figure_as_a_positive_number() -> None:
    lines: list[str] = []
    result = run_bench([200], Settings(corpus_dir=ROOT / "corpus"), lines.append, queries=3, pool_size=8)

    assert json.loads(json.dumps(result, ensure_ascii=False)) == result  # what `--json` prints
    assert result["cold_start_s"] > 0
    [size] = result["sizes"]
    assert SIZE_KEYS <= set(size)
    assert size["chunks"] == 200
    for key in SIZE_KEYS - {"chunks", "ingest_note"}:
        assert size[key] > 0, key
    assert "vectors reused from the 8 pool" in size["ingest_note"]
    assert "200" in format_table(result)
    assert any("cold start" in line for line in lines)


def test_larger_corpus_starts_with_the_smaller_one_and_cycles_topics() -> None:
    parts = guide_parts(ROOT / "corpus")
    small, large = synthetic_chunks(40, *parts), synthetic_chunks(80, *parts)

    assert large[:40] == small
    assert {c.topic for c in large} == {"vneid", "dichvucong", "thanh-toan", "an-toan", "phong-trao"}
    assert all(c.source.startswith("corpus/synthetic/guide-") and c.url.startswith("https://example.gov.vn/")
               for c in large)
    sentences = parts[0]
    assert all(any(c.text.startswith((s, "1. " + s)) for s in sentences) for c in large)


def test_reused_vectors_stay_unit_length_and_close_to_their_pool_vector() -> None:
    import numpy as np

    rng = np.random.default_rng(0)
    pool = rng.normal(size=(4, 384)).astype(np.float32)
    pool /= np.linalg.norm(pool, axis=1, keepdims=True)

    vectors = spread(pool, 10)

    assert vectors.shape == (10, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert (vectors[:4] == pool).all()
    assert 0.95 < float(vectors[5] @ pool[1]) < 1.0


def test_bad_sizes_are_refused_with_an_example() -> None:
    with pytest.raises(AssistantError, match=r"Cỡ kho không hợp lệ: \[0\]\. Ví dụ: --sizes 1000,10000,100000"):
        run_bench([0], Settings(corpus_dir=ROOT / "corpus"), lambda _: None)


def test_a_search_reports_the_seconds_of_each_of_its_steps(bundled_assistant) -> None:  # type: ignore[no-untyped-def]
    import time

    from assistant.retrieval import STAGES

    started = time.perf_counter()
    result = bundled_assistant.retriever.search("quen mat khau vneid", k=3)
    total = time.perf_counter() - started
    assert set(result.timings) == set(STAGES)
    assert all(seconds >= 0 for seconds in result.timings.values())
    assert result.timings["embed"] > 0 and result.timings["dense"] > 0
    assert sum(result.timings.values()) <= total
