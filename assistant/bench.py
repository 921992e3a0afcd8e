"""Measure ingest speed, index size, latency and memory on synthetic corpora of growing size.

The bundled model embeds only a few passages a second on a small CPU, so real vectors are made
once, for a pool of at most 1,000 chunks; larger corpora reuse them (a pool vector plus small
seeded noise, re-normalised) and their ingest rate counts the store and lexical build only.
Every size gets a real index version, written the way `ingest` writes one, in a temporary folder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypedDict

import numpy as np

from assistant.errors import AssistantError
from assistant.guide_format import TOPICS
from assistant.models import Chunk
from assistant.retrieval import STAGES
from assistant.settings import Settings

DEFAULT_SIZES = (1_000, 10_000, 100_000)
POOL = 1_000  # chunks embedded for real
NOISE = 0.01  # per-dimension noise on reused vectors: cosine to the pool vector ≈ 0.98
SEED = 42
PER_GUIDE = 8  # synthetic chunks per synthetic guide
QUESTIONS = Path(__file__).resolve().parent.parent / "tests" / "eval" / "questions"
COLD_QUESTION = "Làm sao để kích hoạt tài khoản VNeID?"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_MARKER = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")


@dataclass
class SizeResult:
    chunks: int
    ingest_chunks_per_s: float
    ingest_note: str
    index_mb: float
    retrieval_p50_ms: float
    retrieval_p95_ms: float
    retrieval_p99_ms: float
    ask_p50_ms: float
    ask_p95_ms: float
    ask_p99_ms: float
    floor_p95_ms: float
    rss_mb: float
    stages_p50_ms: dict[str, float]  # where one search spends its time …
    stages_p95_ms: dict[str, float]
    build_s: dict[str, float]  # … and where the index build spends it
    load_avg_1m: float  # the machine's load after the size: above ~1.5, other work shared the 2 cores


def guide_parts(corpus_dir: Path) -> tuple[list[str], list[str], list[str]]:
    """Sentences, titles and section headings of the real guides (Markdown bodies only)."""
    import frontmatter

    files = sorted(corpus_dir.rglob("*.md"))
    if not files:
        raise AssistantError(f"Không có hướng dẫn .md nào trong '{corpus_dir}' để dựng kho thử. Hãy chạy từ thư mục dự án.")
    sentences, titles, sections = [], [], []
    for path in files:
        post = frontmatter.loads(path.read_text(encoding="utf-8"))
        titles.append(str(post.metadata.get("title") or path.stem))
        for line in post.content.splitlines():
            if line.startswith("#"):
                sections.append(line.lstrip("#").strip())
            elif line.strip():
                sentences += [s.strip() for s in _SENTENCE_END.split(_MARKER.sub("", line)) if len(s.strip()) >= 20]
    return sentences, titles, sections or ["Tóm tắt"]


def synthetic_chunks(n: int, sentences: list[str], titles: list[str], sections: list[str]) -> list[Chunk]:
    """`n` chunks of 3–6 recombined guide sentences; a longer corpus starts with the shorter one."""
    rng = random.Random(SEED)
    chunks: list[Chunk] = []
    summary = ""
    for i in range(n):
        guide, position = divmod(i, PER_GUIDE)
        picked = rng.sample(sentences, rng.randint(3, 6))
        numbered = rng.random() < 0.3  # some passages are step lists, as in the real guides
        text = "\n".join(f"{k}. {s}" for k, s in enumerate(picked, 1)) if numbered else " ".join(picked)
        section = rng.choice(sections)
        if position == 0:
            summary = picked[0]
        topic = TOPICS[guide % len(TOPICS)]
        source = f"corpus/synthetic/guide-{guide:05d}.md"
        chunks.append(Chunk(
            id=hashlib.sha1(f"{source}\n{section}\n{position}\n{text}".encode()).hexdigest()[:20],
            text=text, title=f"{titles[guide * 7 % len(titles)]} (bản mẫu {guide})", section=section,
            source=source, url=f"https://example.gov.vn/huong-dan/{topic}/guide-{guide:05d}",
            source_name="Cổng thông tin mẫu", checked=(dt.date(2026, 1, 1) + dt.timedelta(days=guide % 300)).isoformat(),
            topic=topic, summary=summary, position=position,
        ))
    return chunks


def embed(encoder: Any, chunks: list[Chunk], progress: Callable[[str], Any]) -> np.ndarray:
    parts = []
    for start in range(0, len(chunks), 64):  # the batches ingest uses
        texts = [c.embed_text for c in chunks[start : start + 64]]
        parts.append(np.asarray(encoder.encode_document(texts, batch_size=32, normalize_embeddings=True), dtype=np.float32))
        if start % 320 == 0:
            progress(f"  embedded {start + len(texts)}/{len(chunks)}")
    return np.vstack(parts)


def spread(pool: np.ndarray, n: int) -> np.ndarray:
    """`n` vectors: the pool itself, then pool vectors plus small seeded noise, re-normalised."""
    if n <= len(pool):
        return pool[:n]
    rng = np.random.default_rng(SEED)
    extra = pool[np.arange(len(pool), n) % len(pool)] + rng.normal(0, NOISE, (n - len(pool), pool.shape[1])).astype(np.float32)
    extra /= np.linalg.norm(extra, axis=1, keepdims=True)
    return np.vstack([pool, extra])


def write_version(settings: Settings, chunks: list[Chunk], vectors: np.ndarray) -> tuple[str, dict[str, float]]:
    """A complete version, written through the index owner exactly as ingest writes one, then served;
    seconds per step."""
    from assistant.store import NewVersion, write_pointer

    clock = {"t": time.perf_counter()}
    spent: dict[str, float] = {}

    def lap(name: str) -> None:
        now = time.perf_counter()
        spent[name] = round(now - clock["t"], 2)
        clock["t"] = now

    new = NewVersion(settings)
    new.add(chunks, vectors)
    new.client.close()  # the assistant opens the version from disk, as a server would
    lap("chroma")
    new.write_derived(chunks, lap)
    guides: dict[str, list[str]] = {}
    for c in chunks:
        guides.setdefault(c.source, []).append(c.id)
    # No file behind these guides, so no file hash: a later ingest sees every source as changed.
    new.finish(len(chunks), {s: {"sha256": None, "chunk_ids": ids} for s, ids in guides.items()}, {})
    write_pointer(settings, new.id)
    lap("files")
    return new.id, spent


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    p50, p95, p99 = np.percentile(np.asarray(samples) * 1000, [50, 95, 99])
    return round(float(p50), 1), round(float(p95), 1), round(float(p99), 1)


def rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def du_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20, 1)


class Measured(TypedDict):
    """What `measure` returns: (p50, p95, p99) latencies in milliseconds, and the answered count."""

    search: tuple[float, float, float]
    ask: tuple[float, float, float]
    floor_p95: float
    stages: dict[str, tuple[float, float, float]]
    answered: int


def measure(settings: Settings, questions: list[str]) -> Measured:
    """Latencies of the dense floor, warm searches (stage by stage) and full answers."""
    from assistant.pipeline import Assistant

    assistant = Assistant.from_settings(settings, log=False)
    retriever = assistant.retriever
    version = retriever.store.current()
    assistant.ask(questions[0])  # warm: opens the version, builds the composer
    floor, search, ask = [], [], []
    for q in questions:
        started = time.perf_counter()
        vector = retriever.embed(q)
        version.collection.query(query_embeddings=[vector.tolist()], n_results=min(30, len(version.chunks)),
                                 include=["distances"])
        floor.append(time.perf_counter() - started)
    stages: dict[str, list[float]] = {name: [] for name in STAGES}
    for q in questions:
        started = time.perf_counter()
        result = retriever.search(q, k=settings.top_k)
        search.append(time.perf_counter() - started)
        for name in STAGES:
            stages[name].append(result.timings[name])
    for q in questions:  # warm answers: each guide's sentences embedded once, as a running server has them
        assistant.ask(q)
    answered = 0
    for q in questions:
        started = time.perf_counter()
        answered += assistant.ask(q).status == "answered"
        ask.append(time.perf_counter() - started)
    return {"search": percentiles(search), "ask": percentiles(ask), "floor_p95": percentiles(floor)[1],
            "stages": {k: percentiles(v) for k, v in stages.items()}, "answered": answered}


def cold_start(settings: Settings) -> float:
    """Seconds from `python -m assistant ask` starting to its answer, against `settings.data_dir`."""
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(settings.data_dir), "HF_HUB_OFFLINE": "1"}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "assistant", "ask", COLD_QUESTION], env=env, check=False,
                          capture_output=True, text=True, timeout=300)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise AssistantError(f"`assistant ask` thất bại khi đo khởi động lạnh: {done.stderr.strip()[-300:]}")
    return round(seconds, 2)


def question_sample(path: Path, n: int) -> list[str]:
    from assistant.evaluation import load_cases

    if not path.exists():
        raise AssistantError(f"Không tìm thấy bộ câu hỏi '{path}'. Hãy chạy `assistant bench` từ thư mục dự án.")
    questions = [c.question for c in load_cases(path)]
    random.Random(SEED).shuffle(questions)
    return (questions * (n // max(len(questions), 1) + 1))[:n]


def _label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def run_bench(sizes: list[int], settings_base: Settings, progress: Callable[[str], Any] = print, *,
              queries: int = 100, pool_size: int = POOL, questions_dir: Path = QUESTIONS,
              with_cold_start: bool = True) -> dict[str, Any]:
    """Build and time one index per size; returns {"sizes": [...], "cold_start_s": ...}."""
    from assistant.embedding import load_encoder

    sizes = sorted(set(sizes))
    if not sizes or sizes[0] < 1:
        raise AssistantError(f"Cỡ kho không hợp lệ: {sizes}. Ví dụ: --sizes 1000,10000,100000")
    questions = question_sample(questions_dir, queries)
    corpus = synthetic_chunks(sizes[-1], *guide_parts(Path(settings_base.corpus_dir)))
    pool_n = min(pool_size, sizes[-1])
    progress(f"Embedding {pool_n} synthetic chunks for real (the vector pool)…")
    encoder = load_encoder(settings_base.embedding_model)
    started = time.perf_counter()
    pool = embed(encoder, corpus[:pool_n], progress)
    embed_rate = pool_n / (time.perf_counter() - started)
    progress(f"  {embed_rate:.1f} chunks/s")
    results: list[SizeResult] = []
    cold: float | None = None
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="assistant-bench-") as tmp:
            settings = settings_base.model_copy(update={"data_dir": Path(tmp) / "data", "chroma_mode": "embedded"})
            progress(f"{n} chunks: building the index version…")
            started = time.perf_counter()
            version, steps = write_version(settings, corpus[:n], spread(pool, n))
            build_s = time.perf_counter() - started
            if n <= pool_n:
                rate = n / (n / embed_rate + build_s)
                note = f"real embedding ({embed_rate:.1f} chunks/s, measured on {pool_n}) + store/lexical build"
            else:
                rate = n / build_s
                note = (f"vectors reused from the {_label(pool_n)} pool (+ seeded noise); rate is the store+lexical "
                        f"build only; with real embedding ≈ {n / (n / embed_rate + build_s):.1f} chunks/s")
            progress(f"  built in {build_s:.1f} s; timing {len(questions)} queries…")
            m = measure(settings, questions)
            progress(f"  answered {m['answered']}/{len(questions)}; search p50 {m['search'][0]} ms")
            results.append(SizeResult(
                n, round(rate, 1), note, du_mb(settings.versions_dir / version), *m["search"], *m["ask"],
                m["floor_p95"], rss_mb(), {k: v[0] for k, v in m["stages"].items()},
                {k: v[1] for k, v in m["stages"].items()}, steps, round(os.getloadavg()[0], 2),
            ))
            if cold is None and with_cold_start:
                progress("  cold start: `python -m assistant ask` in a fresh process…")
                cold = cold_start(settings)
    return {"sizes": [asdict(r) for r in results], "cold_start_s": cold}


def format_table(result: dict[str, Any]) -> str:
    head = ("chunks", "ingest/s", "index MB", "search p50/p95/p99 ms", "ask p50/p95/p99 ms", "floor p95", "RSS MB")
    rows = [head] + [(
        f"{r['chunks']:,}", f"{r['ingest_chunks_per_s']:.1f}", f"{r['index_mb']:.1f}",
        f"{r['retrieval_p50_ms']:.0f} / {r['retrieval_p95_ms']:.0f} / {r['retrieval_p99_ms']:.0f}",
        f"{r['ask_p50_ms']:.0f} / {r['ask_p95_ms']:.0f} / {r['ask_p99_ms']:.0f}",
        f"{r['floor_p95_ms']:.0f}", f"{r['rss_mb']:.0f}",
    ) for r in result["sizes"]]
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(cell.rjust(w) for cell, w in zip(row, widths)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for r in result["sizes"]:
        stages = ", ".join(f"{k} {v:.1f} ({r['stages_p95_ms'][k]:.1f})" for k, v in r["stages_p50_ms"].items())
        build = ", ".join(f"{k} {v:.1f}" for k, v in r["build_s"].items())
        lines.append(f"\n{r['chunks']:,} chunks (load average {r['load_avg_1m']:.1f}): {r['ingest_note']}"
                     f"\n  build s: {build}\n  search stages ms, p50 (p95): {stages}")
    if result.get("cold_start_s") is not None:
        lines.append(f"\ncold start (`python -m assistant ask`, smallest index): {result['cold_start_s']:.1f} s")
    return "\n".join(lines)
