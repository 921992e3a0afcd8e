"""`assistant serve-api --workers 2`: every worker answers from the same index and follows an ingest."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from assistant.settings import Settings
from ingest.sync import sync
from tests.browser import ROOT, free_port
from tests.test_browser_pages import NEW_GUIDE
from tests.test_robustness import chroma_server  # noqa: F401  (fixture)

NEW_QUESTION = "đăng ký thẻ thư viện điện tử của phường thế nào"


def start_workers(env: dict[str, str], port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "serve-api", "--workers", "2", "--port", str(port)],
                            cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("serve-api exited: " + proc.stdout.read().decode(errors="replace"))  # type: ignore[union-attr]
        if len(health(port, 12)) == 2:
            return proc
        time.sleep(0.5)
    proc.kill()
    raise RuntimeError("workers did not start in time")


def health(port: int, tries: int) -> dict[int, str]:
    """worker pid → version it serves, over fresh connections (the kernel spreads them over the workers)."""
    seen: dict[int, str] = {}
    for _ in range(tries):
        try:
            body = httpx.get(f"http://127.0.0.1:{port}/api/v1/healthz", timeout=5).json()
        except (httpx.HTTPError, ValueError):
            continue
        if body.get("ok"):
            seen[body["worker"]] = body["version"]
    return seen


def asks(port: int, n: int) -> list[dict]:
    return [httpx.post(f"http://127.0.0.1:{port}/api/v1/ask", json={"question": NEW_QUESTION}, timeout=60).json()
            for _ in range(n)]


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def two_workers_follow_an_ingest(settings: Settings, env: dict[str, str]) -> None:
    first = sync(settings)
    port = free_port()
    proc = start_workers(env, port)
    try:
        before = health(port, 30)
        assert len(before) == 2 and set(before.values()) == {first.version}
        assert all(a["status"] == "no_answer" for a in asks(port, 4)), "no guide covers it yet"

        guide = settings.corpus_dir / "dichvucong" / "the-thu-vien.md"
        guide.write_text(NEW_GUIDE, encoding="utf-8")
        second = sync(settings)
        assert second.version != first.version

        after = health(port, 40)
        assert len(after) == 2, f"both workers answered: {after}"
        assert set(after.values()) == {second.version}, "every worker serves the new version without a restart"
        answers = asks(port, 8)
        assert all(a["status"] == "answered" for a in answers)
        assert all(a["citations"][0]["source"].endswith("the-thu-vien.md") for a in answers)
    finally:
        stop(proc)


def test_two_workers_embedded_store(small_corpus: Path, data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir, corpus_dir=small_corpus)
    two_workers_follow_an_ingest(settings, {"ASSISTANT_DATA_DIR": str(data_dir), "ASSISTANT_API_RATE_LIMIT": "0"})


def test_two_workers_chroma_server(chroma_server, small_corpus: Path, data_dir: Path) -> None:  # noqa: F811
    port, _ = chroma_server
    settings = Settings(data_dir=data_dir, corpus_dir=small_corpus, chroma_mode="http", chroma_port=port)
    env = {"ASSISTANT_DATA_DIR": str(data_dir), "ASSISTANT_CHROMA_MODE": "http", "ASSISTANT_CHROMA_PORT": str(port),
           "ASSISTANT_API_RATE_LIMIT": "0"}
    two_workers_follow_an_ingest(settings, env)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
