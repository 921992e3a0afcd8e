"""Read-aloud fallback: what the engine is told to say, and the WAV espeak-ng makes of it."""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import pytest

from assistant import speech
from assistant.speech import (
    ABBREVIATIONS,
    SpeechUnavailable,
    available,
    number_words,
    spoken_text,
    synthesize,
    truncate,
)

needs_espeak = pytest.mark.skipif(not available(), reason="espeak-ng is not installed (apt-get install espeak-ng)")


@pytest.mark.parametrize(
    "n, words",
    [
        (0, "không"),
        (5, "năm"),
        (10, "mười"),
        (11, "mười một"),
        (15, "mười lăm"),
        (21, "hai mươi mốt"),
        (25, "hai mươi lăm"),
        (101, "một trăm linh một"),
        (105, "một trăm linh năm"),
        (110, "một trăm mười"),
        (1000, "một nghìn"),
        (1005, "một nghìn không trăm linh năm"),
        (2025, "hai nghìn không trăm hai mươi lăm"),
        (10000, "mười nghìn"),
        (1500000, "một triệu năm trăm nghìn"),
        (1000000000, "một tỷ"),
        (1000001, "một triệu không trăm linh một"),
        (999_999_999_999, "chín trăm chín mươi chín tỷ chín trăm chín mươi chín triệu "
                          "chín trăm chín mươi chín nghìn chín trăm chín mươi chín"),
    ],
)
def test_number_words(n: int, words: str) -> None:
    assert number_words(n) == words


def test_numbers_in_text_are_words() -> None:
    assert spoken_text("Chọn 2 câu hỏi, mật khẩu 21 ký tự.") == "Chọn hai câu hỏi, mật khẩu hai mươi mốt ký tự."
    assert spoken_text("Năm 2025.") == "Năm hai nghìn không trăm hai mươi lăm."


@pytest.mark.parametrize("written", ["1.500.000", "1,500,000"])
def test_thousands_separators_make_one_number(written: str) -> None:
    assert spoken_text(f"Hạn mức {written} mỗi ngày.") == "Hạn mức một triệu năm trăm nghìn mỗi ngày."


@pytest.mark.parametrize("written", ["50.000đ", "50.000 đồng", "50.000 VNĐ", "50,000 VND"])
def test_money(written: str) -> None:
    assert spoken_text(f"Lệ phí {written}.") == "Lệ phí năm mươi nghìn đồng."


def test_money_without_separators_is_still_money() -> None:
    assert spoken_text("Phí 100000đ.") == "Phí một trăm nghìn đồng."


def test_percent_and_decimals() -> None:
    assert spoken_text("Giảm 5%.") == "Giảm năm phần trăm."
    assert spoken_text("Lãi 2,5%.") == "Lãi hai phẩy năm phần trăm."
    assert spoken_text("Nặng 2,5 kg.") == "Nặng hai phẩy năm kg."
    assert spoken_text("Còn 0,05.") == "Còn không phẩy không năm."


def test_dates() -> None:
    assert spoken_text("Hạn chót 25/11/2026.") == (
        "Hạn chót ngày hai mươi lăm tháng mười một năm hai nghìn không trăm hai mươi sáu.")
    # "ngày" already written is not said twice; a leading zero is not read as a digit
    assert spoken_text("Từ ngày 01/7/2025.") == "Từ ngày một tháng bảy năm hai nghìn không trăm hai mươi lăm."
    assert spoken_text("Kiểm tra 2026-11-25.") == (
        "Kiểm tra ngày hai mươi lăm tháng mười một năm hai nghìn không trăm hai mươi sáu.")
    assert spoken_text("Từ tháng 4/2026.") == "Từ tháng tư năm hai nghìn không trăm hai mươi sáu."


@pytest.mark.parametrize("written", ["8:30", "8h30"])
def test_times(written: str) -> None:
    assert spoken_text(f"Mở cửa lúc {written}.") == "Mở cửa lúc tám giờ ba mươi."


def test_time_and_number_ranges() -> None:
    assert spoken_text("Làm việc 7h30-17h.") == "Làm việc bảy giờ ba mươi đến mười bảy giờ."
    assert spoken_text("Mật khẩu dài 8-20 ký tự.") == "Mật khẩu dài tám đến hai mươi ký tự."


def test_phone_numbers_digit_by_digit() -> None:
    assert spoken_text("Gọi 1900 0368.") == "Gọi một chín không không, không ba sáu tám."
    assert spoken_text("Tổng đài hỗ trợ: 1900 0368.") == "Tổng đài hỗ trợ: một chín không không, không ba sáu tám."
    assert spoken_text("Bị lừa thì gọi ngay 113.") == "Bị lừa thì gọi ngay một một ba."
    assert spoken_text("Số khẩn cấp 113 luôn trực.") == "Số khẩn cấp một một ba luôn trực."
    assert spoken_text("Liên hệ 0912 345 678.") == "Liên hệ không chín một hai, ba bốn năm, sáu bảy tám."
    assert spoken_text("Mã 123456 hết hạn.") == "Mã một hai ba bốn năm sáu hết hạn."


@pytest.mark.parametrize(
    "written, said",
    [
        ("Mở ứng dụng VNeID.", "Mở ứng dụng vê en i đi."),
        ("Nhập mã OTP.", "Nhập mã ô tê pê."),
        ("Mang theo CCCD.", "Mang theo căn cước công dân."),
        ("Số CMND cũ.", "Số chứng minh nhân dân cũ."),
        ("Quét mã QR.", "Quét mã quy a."),
        ("Chuyển khoản bằng VietQR.", "Chuyển khoản bằng việt quy a."),
        ("Đến UBND xã.", "Đến ủy ban nhân dân xã."),
        ("Thẻ BHYT.", "Thẻ bảo hiểm y tế."),
        ("Sổ BHXH.", "Sổ bảo hiểm xã hội."),
        ("Đổi GPLX.", "Đổi giấy phép lái xe."),
        ("Rút tiền ở cây ATM.", "Rút tiền ở cây a tê mờ."),
        ("Tin nhắn SMS.", "Tin nhắn ét em ét."),
        ("Đọc chip bằng NFC.", "Đọc chip bằng en ép xê."),
        ("Nhập mã PIN.", "Nhập mã pin."),
        ("Ghi STK người nhận.", "Ghi số tài khoản người nhận."),
        ("Xác thực eKYC.", "Xác thực i kê y xê."),
        ("Cài app ngân hàng.", "Cài ứng dụng ngân hàng."),
    ],
)
def test_abbreviations(written: str, said: str) -> None:
    assert spoken_text(written) == said


def test_abbreviations_are_whole_words_and_case_sensitive() -> None:
    assert spoken_text("Pin điện thoại yếu, tải từ App Store.") == "Pin điện thoại yếu, tải từ App Store."
    assert spoken_text("Mã QRcode lạ.") == "Mã QRcode lạ."  # not a whole word


def test_staff_can_extend_abbreviations(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(ABBREVIATIONS, "CSTT", "cảnh sát trật tự")
    assert spoken_text("Hỏi CSTT.") == "Hỏi cảnh sát trật tự."


def test_citations_markdown_urls_and_emoji_are_dropped() -> None:
    text = (
        "**Các bước** [1]\n"
        "## Lưu ý\n"
        "- Xem hướng dẫn tại https://vneid.gov.vn/huong-dan [2]\n"
        "- Đọc [bài hướng dẫn](https://example.com/a_(b)) trước.\n"
        "⚠️ Không đọc mã cho ai 👍 ℹ️ [3]"
    )
    said = spoken_text(text)
    assert said == "Các bước. Lưu ý. Xem hướng dẫn tại. Đọc bài hướng dẫn trước. Không đọc mã cho ai."
    for gone in ("[", "]", "*", "#", "http", "example", "⚠", "👍", "ℹ", "\ufe0f"):
        assert gone not in said


def test_bare_domain_is_read_out() -> None:
    assert spoken_text("Vào trang vneid.gov.vn.") == "Vào trang vê en i đi chấm gờ o vê chấm vê en."


def test_numbered_steps_become_spoken_steps() -> None:
    text = "Các bước:\n1. Mở ứng dụng\n2. Chọn Kích hoạt\n10) Đăng nhập lại."
    assert spoken_text(text) == (
        "Các bước: Bước một. Mở ứng dụng. Bước hai. Chọn Kích hoạt. Bước mười. Đăng nhập lại.")


def test_nothing_to_say() -> None:
    assert spoken_text("[1] 👍 https://example.com") == ""
    with pytest.raises(ValueError):
        synthesize("[1] ⚠️", Path("/nonexistent-never-created"))


def test_truncate_cuts_at_a_sentence_boundary() -> None:
    text = "Câu thứ nhất. Câu thứ hai khá dài. Câu thứ ba."
    assert truncate(text, 30) == "Câu thứ nhất."
    assert truncate(text, 34) == "Câu thứ nhất. Câu thứ hai khá dài."
    assert truncate(text, 1000) == text
    assert truncate("Một câu rất dài không có dấu chấm nào", 15) == "Một câu rất."


def test_synthesize_sends_truncated_text_on_stdin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[list[str], bytes]] = []

    def fake_run(argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
        calls.append((argv, kwargs["input"]))  # type: ignore[arg-type]
        Path(argv[argv.index("-w") + 1]).write_bytes(b"RIFF fake")
        return subprocess.CompletedProcess(argv, 0)

    monkeypatch.setattr(speech.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(speech.subprocess, "run", fake_run)
    sentence = "Mở ứng dụng và làm theo hướng dẫn. "
    path = synthesize(sentence * 100, tmp_path, max_chars=100)
    argv, sent = calls[0]
    assert argv[0] == "/usr/bin/espeak-ng" and "--stdin" in argv
    assert argv[argv.index("-v") + 1] == "vi" and argv[argv.index("-s") + 1] == "140"
    assert "ứng dụng" not in " ".join(argv)  # the text never goes on the command line
    said = sent.decode("utf-8")
    assert len(said) <= 100 and said.endswith("hướng dẫn.")
    assert said == (sentence * 2).strip()
    assert path.parent == tmp_path and path.suffix == ".wav" and path.exists()
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temp file left behind


def test_missing_espeak_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(speech.shutil, "which", lambda name: None)
    assert available() is False
    with pytest.raises(SpeechUnavailable, match="apt-get install espeak-ng"):
        synthesize("Xin chào.", tmp_path)


def test_espeak_failure_is_speech_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing_run(argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
        raise subprocess.CalledProcessError(1, argv, stderr=b"no voice")

    monkeypatch.setattr(speech.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(speech.subprocess, "run", failing_run)
    with pytest.raises(SpeechUnavailable, match="no voice"):
        synthesize("Xin chào.", tmp_path)
    assert list(tmp_path.iterdir()) == []  # the temp file is cleaned up


def _seconds(path: Path) -> float:
    with wave.open(str(path)) as wav:
        return wav.getnframes() / wav.getframerate()


@needs_espeak
def test_real_synthesis_is_a_cached_wav(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "Bước 1. Mở ứng dụng VNeID. Gọi 1900 0368."
    path = synthesize(text, tmp_path)
    assert path.parent == tmp_path and path.suffix == ".wav"
    assert 1 <= _seconds(path) <= 15

    longer = synthesize(text + " Bước 2. Nhập mã OTP vừa nhận qua tin nhắn SMS rồi đặt mật khẩu mới.", tmp_path)
    assert longer != path
    assert _seconds(longer) > _seconds(path) + 1

    def must_not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("espeak-ng ran again for a cached text")

    mtime = path.stat().st_mtime_ns
    monkeypatch.setattr(speech.subprocess, "run", must_not_run)
    assert synthesize(text, tmp_path) == path
    # Same spoken words despite a citation mark and Markdown: the same cached file
    assert synthesize("**Bước 1. Mở ứng dụng VNeID.** Gọi 1900 0368. [1]", tmp_path) == path
    assert path.stat().st_mtime_ns == mtime


@needs_espeak
def test_rate_changes_the_audio(tmp_path: Path) -> None:
    text = "Nhập mã OTP vừa nhận qua tin nhắn SMS rồi đặt mật khẩu mới."
    slow, fast = synthesize(text, tmp_path, rate=100), synthesize(text, tmp_path, rate=220)
    assert slow != fast
    assert _seconds(slow) > _seconds(fast)
