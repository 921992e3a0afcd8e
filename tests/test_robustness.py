"""The index survives what staff and machines do to it: kills, odd files, a damaged index, a full disk."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.errors import StorageError, StoreUnavailableError
from assistant.settings import Settings
from assistant.store import CHROMA, COLLECTION_PREFIX, LEXICAL, collection_name, read_pointer
from ingest.sync import sync
from tests.browser import ROOT, free_port
from tests.conftest import copy_guides


def ask(settings: Settings, question: str):  # type: ignore[no-untyped-def]
    from assistant.pipeline import Assistant

    return Assistant.from_settings(settings, log=False).ask(question)


def test_kill_during_ingest_leaves_the_old_version_serving(small_corpus, data_dir):
    settings = Settings(data_dir=data_dir, corpus_dir=small_corpus)
    first = sync(settings)
    copy_guides(small_corpus, ["vneid/dang-ky-tam-tru-thuong-tru.md", "vneid/thong-bao-luu-tru.md",
                               "thanh-toan/chuyen-nham-tai-khoan.md", "dichvucong/khai-sinh-lien-thong.md"])
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data_dir)}
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "ingest", "--corpus", str(small_corpus)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    # wait until the new version folder exists, i.e. the ingest is mid-way, then kill it hard
    while time.monotonic() < deadline:
        versions = [p for p in settings.versions_dir.iterdir() if p.name != first.version]
        if versions and (versions[0] / CHROMA).exists():
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert read_pointer(settings) == first.version
    answer = ask(settings, "Làm sao để kích hoạt tài khoản VNeID?")
    assert answer.status == "answered" and answer.citations[0].source.endswith("kich-hoat-tai-khoan.md")
    # the next ingest cleans up the half-built version and completes
    report = sync(settings)
    assert len(report.added_files) == 4
    assert sorted(p.name for p in settings.versions_dir.iterdir()) == sorted({first.version, report.version})


def test_renamed_guide_moves_its_chunks(small_corpus, data_dir):
    settings = Settings(data_dir=data_dir, corpus_dir=small_corpus)
    sync(settings)
    (small_corpus / "vneid/quen-passcode.md").rename(small_corpus / "vneid/passcode.md")
    report = sync(settings)
    assert report.added_files == ["corpus/vneid/passcode.md"]
    assert report.removed_files == ["corpus/vneid/quen-passcode.md"]


def test_duplicate_content_under_two_names_is_reported_once(small_corpus, data_dir):
    (small_corpus / "vneid/ban-sao.md").write_bytes((small_corpus / "vneid/quen-passcode.md").read_bytes())
    report = sync(Settings(data_dir=data_dir, corpus_dir=small_corpus))
    assert list(report.errors) == ["corpus/vneid/quen-passcode.md"] or list(report.errors) == ["corpus/vneid/ban-sao.md"]
    assert "trùng nội dung" in next(iter(report.errors.values()))


def test_running_assistant_picks_up_a_new_version_without_restart(small_corpus, data_dir):
    from assistant.pipeline import Assistant

    settings = Settings(data_dir=data_dir, corpus_dir=small_corpus)
    sync(settings)
    assistant = Assistant.from_settings(settings, log=False)
    assert assistant.ask("thông báo lưu trú cho khách đến ở nhà").status == "no_answer"
    copy_guides(small_corpus, ["vneid/thong-bao-luu-tru.md"])
    sync(settings)
    answer = assistant.ask("thông báo lưu trú cho khách đến ở nhà")
    assert answer.status == "answered" and answer.citations[0].source.endswith("thong-bao-luu-tru.md")


def test_corrupt_lexical_index_is_rebuilt_with_a_warning(small_corpus, data_dir, caplog):
    settings = Settings(data_dir=data_dir, corpus_dir=small_corpus)
    report = sync(settings)
    lexical = settings.versions_dir / report.version / LEXICAL
    for f in lexical.iterdir():
        f.write_bytes(b"\x00garbage")
    answer = ask(settings, "quen mat khau vneid")
    assert answer.status == "answered" and answer.citations[0].source.endswith("quen-mat-khau.md")
    assert "rebuilding" in caplog.text


def test_removed_store_gives_a_clear_error_then_recovers(small_corpus, data_dir, tmp_path):
    from assistant.pipeline import Assistant

    settings = Settings(data_dir=data_dir, corpus_dir=small_corpus)
    sync(settings)
    moved = tmp_path / "moved"
    data_dir.rename(moved)
    assistant = Assistant.from_settings(settings, log=False)
    with pytest.raises(Exception, match="Chưa có chỉ mục"):
        assistant.ask("kích hoạt VNeID")
    moved.rename(data_dir)
    assert assistant.ask("Làm sao để kích hoạt tài khoản VNeID?").status == "answered"


def test_disk_full_during_ingest_keeps_the_previous_version(small_corpus, data_dir, monkeypatch):
    import assistant.store as store_module

    settings = Settings(data_dir=data_dir, corpus_dir=small_corpus)
    first = sync(settings)
    copy_guides(small_corpus, ["vneid/thong-bao-luu-tru.md"])

    def full(path, text):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_module, "fsync_write", full)
    with pytest.raises(StorageError, match="No space left on device.*dung lượng đĩa.*vẫn phục vụ"):
        sync(settings)
    monkeypatch.undo()
    assert read_pointer(settings) == first.version
    assert ask(settings, "Làm sao để kích hoạt tài khoản VNeID?").status == "answered"


def test_unwritable_data_folder_is_a_clear_error_naming_it(small_corpus, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(blocker / "data"), "ASSISTANT_CORPUS_DIR": str(small_corpus)}
    proc = subprocess.run([sys.executable, "-m", "assistant", "ingest"], capture_output=True, env=env, timeout=300)
    assert proc.returncode == 1
    err = proc.stderr.decode()
    assert "not-a-folder" in err and "quyền ghi" in err and "Traceback" not in err


def start_chroma(path: Path, port: int) -> subprocess.Popen:
    """A real `chroma run` server on a loopback port, ready when its heartbeat answers."""
    import urllib.request

    chroma = Path(sys.executable).parent / "chroma"
    proc = subprocess.Popen([str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
            return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("chroma did not start")


@pytest.fixture
def chroma_server(tmp_path):  # type: ignore[no-untyped-def]
    port = free_port()
    proc = start_chroma(tmp_path / "chroma-server", port)
    try:
        yield port, proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_server_mode_ingests_and_answers_through_a_chroma_server(chroma_server, small_corpus, data_dir):
    port, proc = chroma_server
    settings = Settings(data_dir=data_dir, corpus_dir=small_corpus, chroma_mode="http", chroma_port=port)
    report = sync(settings)
    assert report.chunks_added > 0
    assert not (settings.versions_dir / report.version / CHROMA).exists(), "vectors live on the server"
    answer = ask(settings, "Làm sao để kích hoạt tài khoản VNeID?")
    assert answer.citations[0].source.endswith("kich-hoat-tai-khoan.md")


def test_chroma_server_down_gives_a_clear_message(small_corpus, data_dir):
    settings = Settings(data_dir=data_dir, corpus_dir=small_corpus, chroma_mode="http", chroma_port=free_port())
    with pytest.raises(StoreUnavailableError, match="Không kết nối được máy chủ Chroma"):
        sync(settings)


def test_serving_survives_a_chroma_server_outage(tmp_path, small_corpus, data_dir):
    from assistant.pipeline import Assistant

    port = free_port()
    path = tmp_path / "chroma-server"
    server = start_chroma(path, port)
    try:
        settings = Settings(data_dir=data_dir, corpus_dir=small_corpus, chroma_mode="http", chroma_port=port)
        sync(settings)
        assistant = Assistant.from_settings(settings, log=False)
        assert assistant.ask("Làm sao để kích hoạt tài khoản VNeID?").status == "answered"
        server.terminate()
        server.wait(timeout=20)
        with pytest.raises(StoreUnavailableError, match="tạm thời không trả lời|Không kết nối được"):
            assistant.ask("Làm sao để kích hoạt tài khoản VNeID?")
        server = start_chroma(path, port)
        assert assistant.ask("Làm sao để kích hoạt tài khoản VNeID?").status == "answered"
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_chroma_server_keeps_only_the_collections_of_kept_versions(chroma_server, small_corpus, data_dir):
    import chromadb

    port, _ = chroma_server
    settings = Settings(data_dir=data_dir, corpus_dir=small_corpus, chroma_mode="http", chroma_port=port)
    sync(settings)
    for guide in ("vneid/thong-bao-luu-tru.md", "thanh-toan/chuyen-nham-tai-khoan.md"):
        copy_guides(small_corpus, [guide])
        sync(settings)
    names = sorted(c.name for c in chromadb.HttpClient(host="127.0.0.1", port=port).list_collections())
    assert len(names) == settings.keep_versions, names
    assert collection_name(read_pointer(settings)) in names
    assert sorted(p.name for p in settings.versions_dir.iterdir()) == [n.removeprefix(COLLECTION_PREFIX) for n in names]
