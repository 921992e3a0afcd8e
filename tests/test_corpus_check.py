"""`assistant corpus check`: the guide conventions as a command staff can run on a new guide."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import cli
from ingest.conventions import Finding, check_corpus, check_guide

GOOD = """---
title: Đổi ảnh đại diện trên ứng dụng VNeID
topic: vneid
source_url: https://vneid.gov.vn/huong-dan
source_name: Bộ Công an
checked: 2026-01-15
audience: nguoi-dan
---
# Đổi ảnh đại diện trên ứng dụng VNeID

Muốn đổi ảnh đại diện thì mở mục Cá nhân trong ứng dụng VNeID, chọn ảnh mới rồi xác nhận bằng passcode của chính bạn.

## Các bước đổi ảnh

1. Mở ứng dụng VNeID và đăng nhập.
2. Chọn mục "Cá nhân" ở cuối màn hình.
3. Bấm vào ảnh đại diện, chọn ảnh mới trong máy.
4. Nhập passcode của chính bạn để xác nhận.

## Lưu ý

- Không đọc mã OTP cho bất kỳ ai, kể cả người xưng là cán bộ.
- Ảnh phải rõ mặt, không đeo kính râm.

## Cần hỗ trợ

Hỏi cán bộ ở bộ phận một cửa của phường hoặc gọi tổng đài 1900 0368.
"""

# The same guide with four defects: steps 1, 2, 4; a private phone number; an instruction to hand over
# an OTP; no "## Lưu ý" section.
BROKEN = (
    GOOD.replace("3. Bấm vào ảnh", "4. Bấm vào ảnh")
    .replace("4. Nhập passcode", "Rồi nhập passcode")
    .replace("## Lưu ý\n\n", "## Ghi chú\n\n")
    .replace("- Ảnh phải rõ mặt", "- Khi cán bộ gọi, hãy đọc mã OTP cho họ để xác minh.\n- Ảnh phải rõ mặt")
    .replace("gọi tổng đài 1900 0368", "gọi 0912 345 678")
)

BROKEN_OUTPUT = """\
✗ vneid/doi-anh.md: thiếu mục ## Lưu ý — hãy thêm [sections]
✗ vneid/doi-anh.md: 'Các bước đổi ảnh' đánh số [1, 2, 4] — các bước phải đánh số 1, 2, 3… liên tục [steps]
✗ vneid/doi-anh.md: số điện thoại chưa được xác nhận: ['0912 345 678'] — chỉ dùng 113, 1900 0368 hoặc bỏ số đó [phone]
✗ vneid/doi-anh.md: có câu bảo người đọc đưa mã OTP/mật khẩu: ['- Khi cán bộ gọi, hãy đọc mã OTP cho họ để xác minh.'] \
— hãy viết lại thành lời cảnh báo [secret]
Đã kiểm tra 1 hướng dẫn: 0 đạt, 1 cần sửa (4 lỗi).
"""


@pytest.fixture
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "corpus"
    (folder / "vneid").mkdir(parents=True)
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(folder))
    return folder


def write(folder: Path, rel: str, text: str) -> Path:
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["corpus", "check", *args])


def test_good_guide_passes_with_exit_0(corpus):
    path = write(corpus, "vneid/doi-anh.md", GOOD)
    assert check_guide(path, "vneid/doi-anh.md") == []
    result = run(str(path))
    assert result.exit_code == 0, result.output
    assert result.output == "Đã kiểm tra 1 hướng dẫn: 1 đạt, không có lỗi.\n"


def test_broken_guide_gets_one_finding_per_defect_and_exit_1(corpus):
    path = write(corpus, "vneid/doi-anh.md", BROKEN)
    assert [f.rule for f in check_guide(path, "vneid/doi-anh.md")] == ["sections", "steps", "phone", "secret"]
    result = run(str(path))
    assert result.exit_code == 1
    assert result.output == BROKEN_OUTPUT


def test_without_paths_the_whole_corpus_folder_is_checked(corpus):
    write(corpus, "vneid/doi-anh.md", GOOD)
    write(corpus, "vneid/doi-anh-loi.md", BROKEN.replace("Đổi ảnh đại diện", "Thay ảnh đại diện"))
    result = run()
    assert result.exit_code == 1
    assert result.output.endswith("Đã kiểm tra 2 hướng dẫn: 1 đạt, 1 cần sửa (4 lỗi).\n")
    assert "vneid/doi-anh-loi.md: thiếu mục ## Lưu ý" in result.output


def test_guides_sharing_a_title_or_content_are_both_named(corpus):
    first = write(corpus, "vneid/doi-anh.md", GOOD)
    second = write(corpus, "vneid/doi-anh-2.md", GOOD)
    found = check_corpus([first, second], corpus)
    assert found["vneid/doi-anh.md"] == [
        Finding("unique_title", "vneid/doi-anh.md: trùng tiêu đề với vneid/doi-anh-2.md — hãy đặt tiêu đề khác"),
        Finding("duplicate", "vneid/doi-anh.md: trùng nội dung với vneid/doi-anh-2.md — hãy gộp hoặc xoá bản thừa"),
    ]
    assert [f.rule for f in found["vneid/doi-anh-2.md"]] == ["unique_title", "duplicate"]


def test_guide_in_the_wrong_folder_is_told_where_it_belongs(corpus):
    path = write(corpus, "dichvucong/doi-anh.md", GOOD)
    assert check_guide(path, "dichvucong/doi-anh.md") == [
        Finding("topic", "dichvucong/doi-anh.md: topic 'vneid' nhưng tệp nằm trong thư mục 'dichvucong/'"
                         " — hãy sửa topic hoặc chuyển tệp"),
    ]


def test_guide_the_loader_rejects_reports_the_loaders_reason(corpus):
    path = write(corpus, "vneid/doi-anh.md", GOOD.replace("source_name: Bộ Công an\n", ""))
    result = run(str(path))
    assert result.exit_code == 1
    assert "✗ vneid/doi-anh.md: ingest không nhận — thiếu trường source_name trong phần đầu (front matter) [loader]" \
        in result.output


@pytest.mark.parametrize("value", ["0", "-30", "ba tháng", "1.5"])
def test_review_every_must_be_a_whole_number_of_days(corpus, value):
    path = write(corpus, "vneid/doi-anh.md", GOOD.replace("audience:", f"review_every: {value}\naudience:"))
    assert [f.rule for f in check_guide(path, "vneid/doi-anh.md")] == ["review_every"]


def test_json_output_lists_findings_by_guide(corpus):
    write(corpus, "vneid/doi-anh.md", GOOD)
    write(corpus, "vneid/doi-anh-loi.md", BROKEN.replace("Đổi ảnh đại diện", "Thay ảnh đại diện"))
    result = run("--json", str(corpus))
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["guides"] == 2 and report["failed"] == 1
    assert [f["rule"] for f in report["findings"]["vneid/doi-anh-loi.md"]] == ["sections", "steps", "phone", "secret"]


def test_missing_corpus_folder_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(tmp_path / "khong-co"))
    result = run()
    assert result.exit_code == 1
    assert result.output == (f"Error: Không tìm thấy thư mục hướng dẫn '{tmp_path / 'khong-co'}'. "
                             "Hãy đưa đường dẫn tệp, hoặc đặt ASSISTANT_CORPUS_DIR.\n")


def test_command_line_entry_point_exits_1_on_a_broken_guide(corpus):
    import subprocess
    import sys

    path = write(corpus, "vneid/doi-anh.md", BROKEN)
    done = subprocess.run([sys.executable, "-m", "assistant", "corpus", "check", str(path)],
                          capture_output=True, text=True, encoding="utf-8", check=False)
    assert done.returncode == 1
    assert done.stdout == BROKEN_OUTPUT
