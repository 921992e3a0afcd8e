"""Checks over every guide in corpus/: what ingestion accepts and what the guide format promises.

Each guide is read with the project's own loader and splitter, so a guide that passes here is a
guide that `assistant ingest` takes as it is. Per-guide checks are parametrized by the path
relative to corpus/ (e.g. ``vneid/quen-mat-khau.md``) so a failure names the guide.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import unicodedata
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlparse

import pytest

from assistant.errors import CorpusError
from ingest.loaders import TOPICS, Document, load, supported
from ingest.splitter import split

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"

MIN_GUIDES = 45
REQUIRED_FIELDS = ("title", "topic", "source_url", "source_name", "checked")
AUDIENCES = {"nguoi-dan", "dai-su-so", "ca-hai"}
REQUIRED_SECTIONS = ("Lưu ý", "Cần hỗ trợ")
ALLOWED_PHONES = {"1900 0368", "113"}


def _guide_paths() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and supported(p))


GUIDES = _guide_paths()


def _rel(path: Path) -> str:
    return path.relative_to(CORPUS).as_posix()


def per_guide(func):
    return pytest.mark.parametrize("path", GUIDES, ids=[_rel(p) for p in GUIDES])(func)


@functools.cache
def _load(path: Path) -> Document:
    return load(path, f"corpus/{_rel(path)}")


def _doc(path: Path) -> Document:
    """The loaded guide; a loader rejection fails the calling test with the loader's reason."""
    try:
        return _load(path)
    except CorpusError as exc:
        pytest.fail(f"ingestion rejects the guide: {exc}")


# --- Markdown structure helpers -------------------------------------------------------------

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def _lines_outside_fences(body: str) -> list[str]:
    """Body lines with fenced code blocks blanked, so a '#' in code is not taken for a heading."""
    out, fenced = [], False
    for line in body.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            out.append("")
            continue
        out.append("" if fenced else line)
    return out


def _sections(body: str) -> list[tuple[int, str, list[str]]]:
    """(level, heading text, lines up to the next heading of any level), in order."""
    sections: list[tuple[int, str, list[str]]] = []
    for line in _lines_outside_fences(body):
        m = _HEADING.match(line)
        if m:
            sections.append((len(m.group(1)), m.group(2).strip(), []))
        elif sections:
            sections[-1][2].append(line)
    return sections


def _h2_sections(body: str) -> list[tuple[str, list[str]]]:
    return [(title, lines) for level, title, lines in _sections(body) if level == 2]


# --- Sentences -----------------------------------------------------------------------------

# A sentence boundary: '.', '!' or '?' (optionally followed by a closing quote or bracket), then
# whitespace, then a capital letter (Vietnamese capitals included: str.isupper knows 'Đ', 'Ô').
_BOUNDARY = re.compile(r"(\S*?)([.!?…]+)[\"'”’)\]]*\s+[\"'“‘(\[]*(\w)")
# Words that end in a period without ending the sentence (compared case-insensitively, no dot).
_ABBREVIATIONS = {
    "tp", "tt", "q", "p", "x", "h", "tx", "ts", "ths", "gs", "pgs", "bs", "ks", "ls", "th", "st",
    "mr", "mrs", "ms", "dr", "v.v", "vv", "vd", "tr", "nxb", "no", "vs", "etc", "e.g", "i.e",
}


def _sentence_boundaries(text: str) -> list[str]:
    """Places in one paragraph where a new sentence starts, shown as a short excerpt."""
    found = []
    for m in _BOUNDARY.finditer(text):
        word, _stop, nxt = m.group(1), m.group(2), m.group(3)
        if not nxt.isupper():
            continue
        bare = word.strip("\"'“”‘’([").lower()
        if bare in _ABBREVIATIONS or bare.rstrip(".") in _ABBREVIATIONS:
            continue
        # 'TP. Hồ Chí Minh', 'Q. Đống Đa': a short all-capital word before the dot is an abbreviation.
        if bare and word.strip("\"'“”‘’([").isupper() and len(bare) <= 4:
            continue
        found.append(text[max(0, m.start() - 30) : m.end() + 20])
    return found


def _first_paragraph_after_h1(body: str) -> str:
    lines = body.splitlines()
    block: list[str] = []
    for line in lines[1:]:
        if not line.strip():
            if block:
                break
            continue
        block.append(line.strip())
    return " ".join(block)


# --- Phone numbers --------------------------------------------------------------------------

_PHONE_PATTERNS = [
    # Toll-free and premium hotlines: 1800 xxxx, 1900 xxxx, 1900 xx xx xx, 1900xxxxxx.
    re.compile(r"(?<![\d/.,])1[89]00(?:[ .]?\d){4,6}(?![\d/])"),
    # Mobile and landline numbers: 0912 345 678, 024 3826 4561, +84 912 345 678.
    re.compile(r"(?<![\w/.,+])(?:\+84|0)(?:[ .-]?\d){8,10}(?![\d/])"),
    # Short service numbers right after words that introduce a number to call: 'gọi 114', 'tổng đài 111'.
    re.compile(
        r"(?:\bgọi|\bquay số|\btổng đài|\bhotline|\bđường dây nóng|\bđường dây hỗ trợ|\bsố khẩn cấp|\bcall)"
        r"(?:\s+(?:ngay|số|cảnh sát|công an|cứu hỏa|cấp cứu|khẩn cấp|đến|tới|điện thoại))*\s*:?\s*"
        r"(?<!\d)(\d{3,5})(?![ .]?\d)",
        re.IGNORECASE,
    ),
]


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def phone_numbers(text: str) -> list[str]:
    found = []
    for pattern in _PHONE_PATTERNS:
        for m in pattern.finditer(text):
            found.append(m.group(m.lastindex or 0).strip())
    return found


# --- Asking for secrets ---------------------------------------------------------------------

_SECRET = r"(?:mã\s+otp|otp|mã\s+xác\s+(?:thực|nhận)|mật\s+khẩu|passcode|mã\s+pin|mã\s+cvv|mã\s+bảo\s+mật)"
# A hand-over: 'đọc mã OTP cho …', 'gửi mật khẩu cho …', 'chia sẻ passcode với …'. The recipient must be
# named with 'cho'/'với': 'ứng dụng gửi mã OTP đến số điện thoại' is the system, not the reader.
_HAND_OVER = re.compile(
    r"\b(?:(?:đọc|gửi|cung\s+cấp|đưa|nói|báo|nhắn|tiết\s+lộ|chụp(?:\s+màn\s+hình)?(?:\s+gửi)?)"
    r"(?:\s+\S+){0,2}?\s+" + _SECRET + r"(?:\s+\S+){0,4}?\s+cho"
    r"|chia\s+sẻ(?:\s+\S+){0,2}?\s+" + _SECRET + r"(?:\s+\S+){0,4}?\s+(?:cho|với))\b",
    re.IGNORECASE,
)
# Before the hand-over in the same sentence, any of these makes it a warning, not an instruction:
# a negation, a past mistake ('đã lỡ đọc mã OTP cho người lạ') or a scammer's demand ('kẻ gian dụ bạn …').
_NOT_AN_INSTRUCTION = re.compile(
    r"\b(?:không|đừng|chớ|cấm|tuyệt\s+đối|never|do\s+not|don't"
    r"|lỡ|trót|đòi|dụ|ép|giục|lừa|kẻ\s+gian|kẻ\s+xấu|giả\s+danh|giả\s+mạo|mạo\s+danh)\b",
    re.IGNORECASE,
)
# Just before it, 'đã'/'bị' tells what happened, not what to do: 'nếu bạn đã gửi mật khẩu cho …'.
_PAST_BEFORE = re.compile(r"\b(?:đã|bị)\s*$", re.IGNORECASE)
# Right after it, 'là'/'thì' makes the hand-over the subject of a statement:
# 'đưa mã OTP cho người khác là để họ dùng tiền của bạn'.
_STATEMENT_AFTER = re.compile(r"^\s*(?:\S+\s+){0,4}?(?:là|thì|nghĩa\s+là|đồng\s+nghĩa)\b", re.IGNORECASE)
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")


def secret_requests(text: str) -> list[str]:
    """Sentences that tell the reader to hand an OTP, password or passcode to someone."""
    bad = []
    for sentence in _SENTENCE_SPLIT.split(text):
        for m in _HAND_OVER.finditer(sentence):
            before = sentence[: m.start()]
            if _NOT_AN_INSTRUCTION.search(before) or _PAST_BEFORE.search(before) or _STATEMENT_AFTER.match(sentence[m.end() :]):
                continue
            bad.append(sentence.strip())
            break
    return bad


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
    misplaced = [_rel(p) for p in GUIDES if p.parent.parent != CORPUS or p.parent.name not in TOPICS]
    assert not misplaced, f"guides outside corpus/<topic>/: {misplaced}"


def test_titles_are_unique_across_corpus():
    by_title = defaultdict(list)
    for path in GUIDES:
        try:
            title = _load(path).meta["title"]
        except CorpusError:
            continue  # reported by the per-guide tests
        by_title[unicodedata.normalize("NFC", title).strip().casefold()].append(_rel(path))
    dupes = {t: ps for t, ps in by_title.items() if len(ps) > 1}
    assert not dupes, f"the same title is used by several guides: {dupes}"


def test_no_two_guides_have_the_same_content():
    by_hash = defaultdict(list)
    for path in GUIDES:
        raw = path.read_bytes()
        by_hash[("file", hashlib.sha256(raw).hexdigest())].append(_rel(path))
        try:
            body = _load(path).body
        except CorpusError:
            continue
        normalised = " ".join(unicodedata.normalize("NFC", body).split())
        by_hash[("body", hashlib.sha256(normalised.encode()).hexdigest())].append(_rel(path))
    dupes = sorted({tuple(ps) for ps in by_hash.values() if len(ps) > 1})
    assert not dupes, f"guides with identical content: {dupes}"


# ============================================================================================
# Per-guide checks
# ============================================================================================


@per_guide
def test_guide_is_accepted_by_loader(path):
    doc = _doc(path)
    assert doc.body.strip()


@per_guide
def test_front_matter_has_all_required_fields(path):
    meta = _doc(path).meta
    missing = [k for k in REQUIRED_FIELDS if not str(meta.get(k) or "").strip()]
    assert not missing, f"missing front matter fields: {missing}"


@per_guide
def test_topic_equals_folder_name(path):
    meta = _doc(path).meta
    assert meta["topic"] in TOPICS
    assert meta["topic"] == path.parent.name, f"topic '{meta['topic']}' but the guide is in '{path.parent.name}/'"


def _url_problem(url: object) -> str | None:
    if not isinstance(url, str):
        return f"{url!r} is not a string"
    if url != url.strip() or any(ch.isspace() for ch in url):
        return f"'{url}' contains whitespace"
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https"):
        return f"'{url}' is not http(s)"
    host = parsed.hostname or ""
    if not parsed.netloc or "." not in host or host.startswith(".") or host.endswith("."):
        return f"'{url}' has no proper host name"
    return None


@per_guide
def test_source_url_is_wellformed_http(path):
    problem = _url_problem(_doc(path).meta["source_url"])
    assert problem is None, problem


@per_guide
def test_other_sources_are_wellformed_http_urls(path):
    other = _doc(path).meta.get("other_sources")
    if other is None:
        return  # optional
    assert isinstance(other, list), f"other_sources must be a list of URLs, got {type(other).__name__}"
    problems = [p for p in map(_url_problem, other) if p]
    assert not problems, problems


@per_guide
def test_checked_is_iso_date_not_in_future(path):
    raw = _doc(path).meta["checked"]
    checked = dt.date.fromisoformat(str(raw))
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(raw))
    assert checked <= dt.date.today(), f"checked {checked} is in the future"


@per_guide
def test_title_and_source_name_are_plain_text(path):
    meta = _doc(path).meta
    for key in ("title", "source_name"):
        value = meta[key]
        assert isinstance(value, str), f"{key} must be text, got {type(value).__name__}"
        assert "\n" not in value.strip(), f"{key} spans several lines"
    audience = meta.get("audience")
    assert audience is None or audience in AUDIENCES, f"audience '{audience}' is not one of {sorted(AUDIENCES)}"


@per_guide
def test_first_heading_is_title(path):
    doc = _doc(path)
    first_line = doc.body.splitlines()[0].rstrip()
    assert first_line == f"# {doc.meta['title']}", f"first line is {first_line!r}, expected '# {doc.meta['title']}'"


@per_guide
def test_summary_after_title_is_one_sentence(path):
    summary = _first_paragraph_after_h1(_doc(path).body)
    assert summary, "no paragraph after the title"
    assert not summary.startswith(("#", "- ", "* ", "1. ")), f"the title is followed by {summary[:40]!r}, not a summary"
    extra = _sentence_boundaries(summary)
    assert not extra, f"summary has more than one sentence; new sentence at: {extra}"


@per_guide
def test_no_section_is_empty(path):
    empty = [title for level, title, lines in _sections(_doc(path).body) if level >= 2 and not any(ln.strip() for ln in lines)]
    assert not empty, f"sections with no text before the next heading: {empty}"


@per_guide
def test_has_luu_y_and_can_ho_tro_sections(path):
    titles = [t for t, _ in _h2_sections(_doc(path).body)]
    missing = [f"## {s}" for s in REQUIRED_SECTIONS if s not in titles]
    assert not missing, f"missing sections: {missing}"


@per_guide
def test_splits_into_at_least_two_nonempty_chunks(path):
    chunks = split(_doc(path))
    assert len(chunks) >= 2, f"only {len(chunks)} chunk(s)"
    empty = [c.section for c in chunks if not c.text.strip()]
    assert not empty, f"empty chunks in sections: {empty}"
    assert all(c.section.strip() for c in chunks), "a chunk has no section name"


_NUMBERED = re.compile(r"^(\d+)[.)]\s+\S")


@per_guide
def test_step_lists_are_numbered_consecutively_from_one(path):
    """In each 'Các bước …' section every numbered list runs 1, 2, …, n."""
    step_sections = [(t, lines) for t, lines in _h2_sections(_doc(path).body) if t.startswith("Các bước")]
    problems = []
    for title, lines in step_sections:
        lists: list[list[int]] = []
        current: list[int] | None = None
        for line in lines:
            m = _NUMBERED.match(line)
            if m:
                if current is None:
                    current = []
                    lists.append(current)
                current.append(int(m.group(1)))
            elif line.strip() and not line.startswith((" ", "\t")):
                current = None  # plain text ends the list; blank and indented lines continue it
        if not lists:
            problems.append(f"'{title}' has no numbered steps")
        for numbers in lists:
            if numbers != list(range(1, len(numbers) + 1)):
                problems.append(f"'{title}' is numbered {numbers}")
    assert not problems, problems


@per_guide
def test_file_is_utf8_in_nfc(path):
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        pytest.fail(f"not UTF-8: {exc}")
    if unicodedata.normalize("NFC", text) != text:
        bad = next(i for i, ch in enumerate(text) if unicodedata.normalize("NFC", ch) != ch or unicodedata.combining(ch))
        pytest.fail(f"not stored in NFC (first non-NFC text near {text[max(0, bad - 20):bad + 10]!r})")


_VIETNAMESE_MARKS = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.IGNORECASE)


@per_guide
def test_text_has_vietnamese_diacritics(path):
    """Most Vietnamese words carry a mark; a guide typed without them would read badly and search badly."""
    body = _doc(path).body
    words = re.findall(r"[^\W\d_]+", body)
    marked = [w for w in words if _VIETNAMESE_MARKS.search(w)]
    assert words, "no words"
    ratio = len(marked) / len(words)
    assert ratio >= 0.3, f"only {ratio:.0%} of words carry Vietnamese diacritics"


@per_guide
def test_no_phone_number_outside_allowlist(path):
    allowed = {_digits(p) for p in ALLOWED_PHONES}
    found = [n for n in phone_numbers(_doc(path).body) if _digits(n) not in allowed]
    assert not found, f"phone numbers without a confirmed source: {found} (allowed: {sorted(ALLOWED_PHONES)})"


@per_guide
def test_never_asks_reader_to_hand_over_otp_or_password(path):
    bad = secret_requests(_doc(path).body)
    assert not bad, f"sentences that tell the reader to give away a secret: {bad}"


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
    assert sorted({_digits(n) for n in phone_numbers(text)}) == sorted({_digits(e) for e in expected})


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
    assert len(_sentence_boundaries(text)) + 1 == sentences
