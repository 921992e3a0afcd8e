"""Checks over every guide in corpus/: what ingestion accepts and what the guide format promises.

The rules live in `ingest.conventions` (the same code `assistant corpus check` runs); here each
group of rules is one test, parametrized by the path relative to corpus/ (e.g.
``vneid/quen-mat-khau.md``), so a failure names the guide and prints the checker's findings.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from pathlib import Path

import pytest

from assistant.guide_format import TOPICS
from ingest.conventions import (
    RULES,
    Finding,
    check_corpus,
    check_guide,
    digits,
    phone_numbers,
    secret_requests,
    sentence_boundaries,
)
from ingest.loaders import supported

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"

MIN_GUIDES = 45


def _guide_paths() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and supported(p))


GUIDES = _guide_paths()


def _rel(path: Path) -> str:
    return path.relative_to(CORPUS).as_posix()


def per_guide(func):
    return pytest.mark.parametrize("path", GUIDES, ids=[_rel(p) for p in GUIDES])(func)


@functools.cache
def _findings(path: Path) -> tuple[Finding, ...]:
    return tuple(check_guide(path, _rel(path)))


@functools.cache
def _corpus_findings() -> tuple[Finding, ...]:
    return tuple(f for found in check_corpus(GUIDES, CORPUS).values() for f in found)


# The rules each test below covers; a finding of any other rule fails test_guide_passes_the_remaining_rules.
GROUPED = {
    "loader", "fields", "topic", "placement", "source_url", "other_sources", "checked", "review_every", "plain_text",
    "audience", "title_heading", "summary", "empty_section", "sections", "chunks", "steps", "encoding", "diacritics",
    "phone", "secret", "unique_title", "duplicate",
}


def _assert_passes(path: Path, *rules: str) -> None:
    """No finding of these rules; a guide the loader rejects fails every group, with the loader's reason."""
    assert set(rules) <= GROUPED
    found = [f.message for f in _findings(path) if f.rule in rules or f.rule == "loader"]
    assert not found, "\n".join(found)


# ============================================================================================
# Corpus-wide checks
# ============================================================================================


def test_corpus_has_at_least_45_guides():
    assert len(GUIDES) >= MIN_GUIDES, f"only {len(GUIDES)} guides in {CORPUS}"


def test_every_topic_has_at_least_one_guide():
    by_topic = defaultdict(list)
    for path in GUIDES:
        by_topic[path.parent.name].append(path)
    missing = [t for t in TOPICS if not by_topic.get(t)]
    assert not missing, f"topics without any guide: {missing}"


def test_every_guide_sits_in_a_topic_folder():
    misplaced = [f.message for path in GUIDES for f in _findings(path) if f.rule == "placement"]
    assert not misplaced, "\n".join(misplaced)


def test_titles_are_unique_across_corpus():
    dupes = [f.message for f in _corpus_findings() if f.rule == "unique_title"]
    assert not dupes, "\n".join(dupes)


def test_no_two_guides_have_the_same_content():
    dupes = [f.message for f in _corpus_findings() if f.rule == "duplicate"]
    assert not dupes, "\n".join(dupes)


# ============================================================================================
# Per-guide checks
# ============================================================================================


@per_guide
def test_guide_is_accepted_by_loader(path):
    _assert_passes(path, "loader")


@per_guide
def test_front_matter_has_all_required_fields(path):
    _assert_passes(path, "fields")


@per_guide
def test_topic_equals_folder_name(path):
    _assert_passes(path, "topic")


@per_guide
def test_source_url_is_wellformed_http(path):
    _assert_passes(path, "source_url")


@per_guide
def test_other_sources_are_wellformed_http_urls(path):
    _assert_passes(path, "other_sources")


@per_guide
def test_checked_is_iso_date_not_in_future(path):
    _assert_passes(path, "checked")


@per_guide
def test_review_every_is_a_whole_number_of_days(path):
    _assert_passes(path, "review_every")


@per_guide
def test_title_and_source_name_are_plain_text(path):
    _assert_passes(path, "plain_text", "audience")


@per_guide
def test_first_heading_is_title(path):
    _assert_passes(path, "title_heading")


@per_guide
def test_summary_after_title_is_one_sentence(path):
    _assert_passes(path, "summary")


@per_guide
def test_no_section_is_empty(path):
    _assert_passes(path, "empty_section")


@per_guide
def test_has_luu_y_and_can_ho_tro_sections(path):
    _assert_passes(path, "sections")


@per_guide
def test_splits_into_at_least_two_nonempty_chunks(path):
    _assert_passes(path, "chunks")


@per_guide
def test_step_lists_are_numbered_consecutively_from_one(path):
    """In each 'Các bước …' section every numbered list runs 1, 2, …, n."""
    _assert_passes(path, "steps")


@per_guide
def test_file_is_utf8_in_nfc(path):
    found = [f.message for f in _findings(path) if f.rule == "encoding"]  # read from the bytes, loader or not
    assert not found, "\n".join(found)


@per_guide
def test_text_has_vietnamese_diacritics(path):
    """Most Vietnamese words carry a mark; a guide typed without them would read badly and search badly."""
    _assert_passes(path, "diacritics")


@per_guide
def test_no_phone_number_outside_allowlist(path):
    _assert_passes(path, "phone")


@per_guide
def test_never_asks_reader_to_hand_over_otp_or_password(path):
    _assert_passes(path, "secret")


@per_guide
def test_guide_passes_the_remaining_rules(path):
    """A rule added to ingest.conventions is held here until it gets a test of its own."""
    found = [f.message for f in _findings(path) if f.rule not in GROUPED]
    assert not found, "\n".join(found)


def test_every_rule_is_known():
    assert GROUPED <= set(RULES)


# ============================================================================================
# The checkers themselves: they must catch what they are for and leave ordinary text alone
# ============================================================================================


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Gọi tổng đài 1900 0368 để được hỗ trợ.", ["1900 0368"]),
        ("Gọi cảnh sát 113 khi cần.", ["113"]),
        ("Hotline Cổng Dịch vụ công: 1800 1096.", ["1800 1096"]),
        ("Liên hệ 0912 345 678 hoặc 024 3826 4561.", ["0912 345 678", "024 3826 4561"]),
        ("Gọi 114 khi có cháy.", ["114"]),
        ("Năm 2025 có 10 triệu người, phí 500.000 đồng, từ 01/7/2025.", []),
        ("Theo Nghị định 69/2024/NĐ-CP và Quyết định 2345/QĐ-NHNN, Điều 176.", []),
        ("Phường có 108 tổ dân phố, 1.000.000 đồng, ngày 01.01.2026.", []),
    ],
)
def test_phone_detector(text, expected):
    # a number may be seen by two rules ('tổng đài 1900 0368'): compare the distinct numbers
    assert sorted({digits(n) for n in phone_numbers(text)}) == sorted({digits(e) for e in expected})


@pytest.mark.parametrize(
    "text, flagged",
    [
        ("Hãy đọc mã OTP cho nhân viên ngân hàng.", True),
        ("Gửi mã OTP cho cán bộ để được hỗ trợ.", True),
        ("Cung cấp mật khẩu cho người hướng dẫn.", True),
        ("Không đọc mã OTP cho bất kỳ ai.", False),
        ("Tuyệt đối không gửi mật khẩu cho ai.", False),
        ("Đừng bao giờ cung cấp passcode cho người lạ.", False),
        ("Không đọc, không chụp màn hình gửi mã OTP cho bất kỳ ai.", False),
        ("Ngân hàng không bao giờ yêu cầu đọc mã OTP cho nhân viên.", False),
        ("Nhập mã OTP vào ứng dụng của chính bạn.", False),
        ("Bấm \"Xác nhận\", ứng dụng sẽ gửi mã OTP đến số điện thoại đã đăng ký.", False),
        ("Nghi bị lộ mật khẩu, hoặc đã lỡ đọc mã OTP cho người lạ.", False),
        ("Kẻ gian dụ bạn đọc mã OTP cho chúng.", False),
        ("Tin nhắn OTP luôn ghi mục đích; đưa mã OTP cho người khác là để họ dùng tiền của bạn.", False),
        ("Khi nhân viên gọi, hãy đọc mã OTP cho họ để xác minh.", True),
        ("Chia sẻ mật khẩu VNeID với con cháu để tiện làm hộ.", True),
        ("Nếu bạn đã gửi mật khẩu cho người lạ, hãy đổi ngay.", False),
        ("Khi đã đăng nhập xong, đọc mã OTP cho nhân viên.", True),
    ],
)
def test_secret_request_detector(text, flagged):
    assert bool(secret_requests(text)) is flagged


@pytest.mark.parametrize(
    "text, sentences",
    [
        ("Quên mật khẩu thì chọn \"Quên mật khẩu\" rồi đặt mật khẩu mới.", 1),
        ("Người dân ở TP. Hồ Chí Minh nộp phí 1.000 đồng cho mỗi bản sao.", 1),
        ("Trung tâm ở Q. Đống Đa, TP. Hà Nội hỗ trợ người dân.", 1),
        ("Bạn quên mật khẩu? Hãy chọn \"Quên mật khẩu\".", 2),
        ("Ứng dụng VNeID do Bộ Công an làm. Ứng dụng miễn phí.", 2),
        ("Phiên bản 4.0 hỗ trợ NFC.", 1),
    ],
)
def test_sentence_counter(text, sentences):
    assert len(sentence_boundaries(text)) + 1 == sentences
