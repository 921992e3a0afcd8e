"""An ingest that would break answers is refused and the old version keeps serving; a normal one passes."""

from __future__ import annotations

import time
from pathlib import Path

from assistant.settings import Settings
from assistant.store import read_pointer
from ingest.gate import GateResult, pick
from ingest.sync import sync

QUESTIONS = [
    ("Quên mật khẩu VNeID thì lấy lại thế nào?", "vneid/quen-mat-khau.md"),
    ("quen mat khau vneid phai lam sao", "vneid/quen-mat-khau.md"),
    ("Đặt lại mật khẩu ứng dụng định danh khi không nhớ", "vneid/quen-mat-khau.md"),
    ("Quên passcode VNeID phải làm sao?", "vneid/quen-passcode.md"),
    ("Kích hoạt tài khoản định danh điện tử sau khi được duyệt", "vneid/kich-hoat-tai-khoan.md"),
    ("Chuyển khoản bằng mã VietQR thế nào?", "thanh-toan/chuyen-khoan-vietqr.md"),
]

OFF_TOPIC = """---
title: Trồng rau muống trong thùng xốp
topic: vneid
source_url: https://example.vn/rau-muong
source_name: Ví dụ
checked: 2026-11-25
---
# Trồng rau muống trong thùng xốp

Rau muống trồng trong thùng xốp cần đất tơi, nắng và tưới nước mỗi ngày.

## Các bước trồng
1. Đục lỗ thoát nước ở đáy thùng.
2. Gieo hạt rồi phủ một lớp đất mỏng.

## Lưu ý
- Không tưới quá nhiều nước.

## Cần hỗ trợ
- Hỏi người bán hạt giống.
"""


def eval_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "eval"
    folder.mkdir()
    rows = ["question\texpected\tsection\tstyle"] + [f"{q}\t{g}\t\taccented" for q, g in QUESTIONS]
    (folder / "small.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def test_refresh_that_breaks_answers_is_refused_and_the_old_version_keeps_serving(small_corpus, data_dir, tmp_path,
                                                                                monkeypatch):
    monkeypatch.setenv("ASSISTANT_EVAL_DIR", str(eval_dir(tmp_path)))
    settings = Settings()
    first = sync(settings, small_corpus)
    (small_corpus / "vneid" / "quen-mat-khau.md").write_text(OFF_TOPIC, encoding="utf-8")
    second = sync(settings, small_corpus)
    assert second.refused and second.gate is not None and not second.gate["passed"]
    assert "Quên mật khẩu VNeID thì lấy lại thế nào?" in second.gate["broken"]
    assert read_pointer(settings) == first.version == second.version
    assert [p.name for p in settings.versions_dir.iterdir()] == [first.version]
    forced = sync(settings, small_corpus, force=True)
    assert not forced.refused and read_pointer(settings) == forced.version != first.version


def test_normal_refresh_passes_the_gate_quickly(small_corpus, data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("ASSISTANT_EVAL_DIR", str(eval_dir(tmp_path)))
    settings = Settings()
    sync(settings, small_corpus)
    guide = small_corpus / "vneid" / "quen-passcode.md"
    guide.write_text(guide.read_text(encoding="utf-8").replace("## Lưu ý", "## Lưu ý\n- Hãy ghi nhớ passcode.", 1),
                     encoding="utf-8")
    started = time.perf_counter()
    report = sync(settings, small_corpus)
    assert report.gate is not None and report.gate["passed"] and not report.refused
    assert read_pointer(settings) == report.version
    assert time.perf_counter() - started < 60  # embedding the changed guide included; the gate itself is seconds


def test_gate_asks_touched_guides_first_and_skips_removed_ones():
    class Case:
        def __init__(self, question: str, expected: str) -> None:
            self.question, self.expected, self.category = question, expected, "in_scope"

    cases = [Case(f"q{i}", g) for i, g in enumerate(["a.md", "b.md", "c.md", "b.md|d.md", "gone.md"])]
    chosen = pick(cases, touched={"b.md"}, available={"a.md", "b.md", "c.md"}, limit=3)
    assert [c.question for c in chosen[:2]] == ["q1", "q3"]
    assert all(c.expected != "gone.md" for c in chosen) and len(chosen) == 3


def test_gate_allows_a_two_point_drop_and_no_more():
    assert GateResult(100, 0.95, 0.93).passed
    assert not GateResult(100, 0.95, 0.9299).passed


def test_gate_refuses_a_refresh_that_declines_more_questions_even_when_they_are_found():
    assert GateResult(100, 0.95, 0.95, [], 0.05, 0.07).passed
    refused = GateResult(100, 0.95, 0.96, [], 0.05, 0.0701, ["Quên mật khẩu VNeID thì lấy lại thế nào?"])
    assert not refused.passed

    from ingest.report import report_lines
    from ingest.sync import IngestReport

    report = IngestReport(files=6, updated_files=["vneid/quen-mat-khau.md"], version="v2", gate=refused.to_json(),
                          refused=True)
    text = [line.text for line in report_lines(report)]
    assert any("tỉ lệ câu bị báo chưa có hướng dẫn 0.050 → 0.070" in t for t in text)
    heading = text.index("Các câu hỏi trước được trả lời, nay bị báo là chưa có hướng dẫn:")
    assert text[heading + 1] == "Quên mật khẩu VNeID thì lấy lại thế nào?"
    assert "Các câu hỏi không còn tìm ra hướng dẫn của mình:" not in text  # nothing lost its guide
