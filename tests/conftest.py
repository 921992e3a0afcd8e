"""Shared fixtures: an isolated data folder per test, real guides, the real model, offline."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

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


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    return copy_guides(tmp_path / "corpus", SMALL)


@pytest.fixture(scope="session")
def bundled_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole bundled corpus, ingested once per test session; returns its data folder."""
    from assistant.settings import Settings
    from ingest.sync import sync

    folder = tmp_path_factory.mktemp("bundled") / "data"
    report = sync(Settings(data_dir=folder, corpus_dir=CORPUS))
    assert not report.errors, report.errors
    return folder


@pytest.fixture(scope="session")
def bundled_assistant(bundled_index: Path):  # type: ignore[no-untyped-def]
    from assistant.pipeline import Assistant
    from assistant.settings import Settings

    return Assistant.from_settings(Settings(data_dir=bundled_index), log=False)
