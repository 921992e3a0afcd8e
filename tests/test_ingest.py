"""Ingest: guides in, a complete index version out; unchanged guides are never embedded again."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.errors import CorpusError, IngestLockedError
from assistant.settings import Settings
from assistant.store import load_chunks, read_manifest, read_pointer
from ingest.sync import ingest_lock, sync
from tests.conftest import copy_guides


def settings_for(data_dir: Path, corpus: Path) -> Settings:
    return Settings(data_dir=data_dir, corpus_dir=corpus)


def test_ingest_then_ask_round_trip(small_corpus, data_dir):
    from assistant.pipeline import Assistant

    settings = settings_for(data_dir, small_corpus)
    report = sync(settings)
    assert report.added_files and not report.errors
    assert report.chunks_added > 6
    answer = Assistant.from_settings(settings, log=False).ask("Làm sao để kích hoạt tài khoản VNeID?")
    assert answer.status == "answered"
    assert answer.citations[0].source == "corpus/vneid/kich-hoat-tai-khoan.md"


def test_chunks_keep_guide_metadata(small_corpus, data_dir):
    settings = settings_for(data_dir, small_corpus)
    sync(settings)
    chunks = load_chunks(settings, read_pointer(settings))
    guide = [c for c in chunks if c.source == "corpus/vneid/quen-mat-khau.md"]
    assert guide, "the guide's chunks are in the index"
    first = guide[0]
    assert first.title == "Lấy lại mật khẩu VNeID khi bị quên và cách đổi mật khẩu"
    assert first.topic == "vneid"
    assert first.url.startswith("https://")
    assert first.checked == "2026-11-25"
    assert {c.section for c in guide} >= {"Lưu ý", "Cần hỗ trợ"}
    assert all(c.summary == first.summary for c in guide)


def test_unchanged_corpus_is_not_embedded_again(small_corpus, data_dir):
    settings = settings_for(data_dir, small_corpus)
    first = sync(settings)
    again = sync(settings)
    assert again.nothing_changed
    assert again.chunks_added == 0
    assert again.version == first.version


def test_changed_guide_is_the_only_one_embedded_again(small_corpus, data_dir):
    settings = settings_for(data_dir, small_corpus)
    first = sync(settings)
    guide = small_corpus / "vneid/quen-passcode.md"
    guide.write_text(guide.read_text(encoding="utf-8") + "\n## Hỏi thêm\n\nHỏi công an xã, phường nơi bạn ở.\n",
                     encoding="utf-8")
    report = sync(settings)
    assert report.updated_files == ["corpus/vneid/quen-passcode.md"]
    assert report.added_files == [] and report.removed_files == []
    per_guide = read_manifest(settings, first.version)["files"]
    assert report.chunks_added == len(per_guide["corpus/vneid/quen-passcode.md"]["chunk_ids"]) + 1
    assert report.chunks_kept == first.chunks_added - len(per_guide["corpus/vneid/quen-passcode.md"]["chunk_ids"])
    assert report.version != first.version


def test_deleted_guide_leaves_the_index(small_corpus, data_dir):
    from assistant.pipeline import Assistant

    settings = settings_for(data_dir, small_corpus)
    sync(settings)
    (small_corpus / "thanh-toan/chuyen-khoan-vietqr.md").unlink()
    report = sync(settings)
    assert report.removed_files == ["corpus/thanh-toan/chuyen-khoan-vietqr.md"]
    answer = Assistant.from_settings(settings, log=False).ask("Chuyển khoản bằng mã VietQR thế nào?")
    assert all("vietqr" not in c.source for c in answer.citations)


def test_broken_guide_is_reported_by_name_and_the_rest_ingested(small_corpus, data_dir):
    (small_corpus / "vneid/hong.md").write_text("---\ntitle: Thiếu nguồn\ntopic: vneid\n---\n# Thiếu nguồn\n\nNội dung.\n",
                                                encoding="utf-8")
    (small_corpus / "vneid/rong.md").write_bytes(b"")
    report = sync(settings_for(data_dir, small_corpus))
    assert "thiếu trường source_url, source_name, checked" in report.errors["corpus/vneid/hong.md"]
    assert report.errors["corpus/vneid/rong.md"] == "corpus/vneid/rong.md: tệp rỗng"
    assert len(report.added_files) == 6


def test_known_broken_guide_does_not_count_as_a_change(small_corpus, data_dir):
    (small_corpus / "vneid/rong.md").write_bytes(b"   ")
    settings = settings_for(data_dir, small_corpus)
    sync(settings)
    again = sync(settings)
    assert again.nothing_changed
    assert "corpus/vneid/rong.md" in again.errors


def test_corpus_with_nothing_usable_is_an_error(tmp_path, data_dir):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text("không có phần đầu", encoding="utf-8")
    with pytest.raises(CorpusError, match="Không nạp được hướng dẫn nào"):
        sync(settings_for(data_dir, corpus))
    assert read_pointer(settings_for(data_dir, corpus)) is None


def test_second_ingest_is_refused_while_one_runs(small_corpus, data_dir):
    settings = settings_for(data_dir, small_corpus)
    with ingest_lock(settings):
        with pytest.raises(IngestLockedError, match="đang chạy"):
            sync(settings)


def test_preview_is_a_dry_run_of_ingest(small_corpus, data_dir):
    """The admin page's preview loads with ingest's own limits and duplicate check, so what it promises is what
    ingest then does."""
    from ingest.report import as_markdown, preview_lines
    from ingest.sync import preview

    settings = Settings(data_dir=data_dir, corpus_dir=small_corpus, max_file_mb=0.05)
    sync(settings)
    (small_corpus / "vneid/ban-sao.md").write_bytes((small_corpus / "vneid/quen-passcode.md").read_bytes())
    guide = (small_corpus / "vneid/quen-mat-khau.md").read_text(encoding="utf-8")
    (small_corpus / "vneid/qua-lon.md").write_text(guide + "\n" + "Một dòng rất dài. " * 4000, encoding="utf-8")
    copy_guides(small_corpus, ["vneid/thong-bao-luu-tru.md"])
    (small_corpus / "thanh-toan/chuyen-khoan-vietqr.md").unlink()
    notes_renamed = re.sub(r"^title: .*$", "title: Bản thử không có mục Lưu ý", guide, count=1, flags=re.M)
    (small_corpus / "vneid/thieu-luu-y.md").write_text(notes_renamed.replace("## Lưu ý", "## Ghi chú"), encoding="utf-8")

    planned = preview(settings)
    assert list(planned.added) == ["corpus/vneid/thieu-luu-y.md", "corpus/vneid/thong-bao-luu-tru.md"]
    assert list(planned.findings) == ["corpus/vneid/thieu-luu-y.md"]  # corpus check, before ingest
    assert set(planned.errors) == {"corpus/vneid/ban-sao.md", "corpus/vneid/qua-lon.md"}
    assert list(planned.removed) == ["corpus/thanh-toan/chuyen-khoan-vietqr.md"]
    shown = as_markdown(preview_lines(planned))
    assert "thong-bao-luu-tru.md: thêm mới" in shown and "trùng nội dung" in shown and "sẽ bỏ qua" in shown
    assert "Kiểm tra quy ước hướng dẫn" in shown and "Lưu ý" in "".join(planned.findings["corpus/vneid/thieu-luu-y.md"])

    report = sync(settings)
    assert report.added_files == list(planned.added) and report.chunks_added == sum(planned.added.values())
    assert report.removed_files == list(planned.removed) and report.chunks_removed == sum(planned.removed.values())
    assert report.errors == planned.errors


def test_dry_run_on_the_command_line_changes_nothing(tmp_path, data_dir):
    from click.testing import CliRunner

    from assistant.cli import cli
    from tests.conftest import SMALL

    corpus = copy_guides(tmp_path / "corpus", SMALL)
    result = CliRunner().invoke(cli, ["ingest", "--dry-run", "--corpus", str(corpus)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Sẽ thay đổi {len(SMALL)} tệp")
    assert "vneid/quen-mat-khau.md: thêm mới" in result.output
    assert not (data_dir / "versions").exists() and read_pointer(settings_for(data_dir, corpus)) is None
