"""What every guide promises beyond what ingestion accepts, and a checker that says what to fix.

The rules once lived only in tests/test_corpus.py; here they serve `assistant corpus check`, the
test suite and the freshness report alike. `check_guide` reads one file with the project's own
loader and splitter, so a guide that passes is a guide `assistant ingest` takes as it is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import Any, TypeGuard
from urllib.parse import urlparse

from assistant.errors import CorpusError
from assistant.guide_format import REQUIRED_SECTIONS, REVIEW_EVERY, STEP, TOPICS
from ingest.loaders import Document, load, supported

REQUIRED_FIELDS = ("title", "topic", "source_url", "source_name", "checked")
AUDIENCES = {"nguoi-dan", "dai-su-so", "ca-hai"}
ALLOWED_PHONES = {"1900 0368", "113"}
TEXT_FORMATS = (".md", ".markdown", ".txt", ".html", ".htm")  # stored as text: UTF-8 and NFC apply

RULES = {  # rule id → what it guards, for people reading a finding
    "loader": "ingest nhận hướng dẫn", "fields": "đủ trường phần đầu", "topic": "topic khớp thư mục",
    "placement": "nằm trong thư mục chủ đề", "source_url": "source_url hợp lệ", "other_sources": "other_sources hợp lệ",
    "checked": "ngày kiểm tra hợp lệ", "review_every": "chu kỳ rà soát hợp lệ",
    "plain_text": "tiêu đề, tên nguồn một dòng",
    "audience": "audience hợp lệ", "title_heading": "dòng đầu là tiêu đề", "summary": "tóm tắt một câu",
    "empty_section": "không có mục rỗng", "sections": "có Lưu ý và Cần hỗ trợ", "chunks": "cắt được thành đoạn",
    "steps": "các bước đánh số liên tục", "encoding": "UTF-8, NFC", "diacritics": "tiếng Việt có dấu",
    "phone": "chỉ số điện thoại đã xác nhận", "secret": "không bảo đưa OTP, mật khẩu",
    "unique_title": "tiêu đề không trùng", "duplicate": "nội dung không trùng",
}


@dataclass(frozen=True)
class Finding:
    rule: str  # a key of RULES
    message: str  # Vietnamese, names the guide and what to fix

    def to_json(self) -> dict[str, str]:
        return asdict(self)


def review_period(meta: dict[str, Any]) -> int:
    """The guide's own `review_every` when it is a positive number of days, else its topic's default."""
    value = meta.get("review_every")
    if valid_period(value):
        return int(value)
    return REVIEW_EVERY.get(str(meta.get("topic", "")), min(REVIEW_EVERY.values()))


def valid_period(value: object) -> TypeGuard[int]:
    """A whole, positive number of days, as YAML reads `review_every: 180`."""
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


# --- Markdown structure ---------------------------------------------------------------------

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def sections(body: str) -> list[tuple[int, str, list[str]]]:
    """(level, heading text, lines up to the next heading); a '#' inside a code fence is no heading."""
    found: list[tuple[int, str, list[str]]] = []
    fenced = False
    for line in body.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced, line = not fenced, ""
        elif fenced:
            line = ""
        if m := _HEADING.match(line):
            found.append((len(m.group(1)), m.group(2).strip(), []))
        elif found:
            found[-1][2].append(line)
    return found


def h2_sections(body: str) -> list[tuple[str, list[str]]]:
    return [(title, lines) for level, title, lines in sections(body) if level == 2]


def summary_paragraph(body: str) -> str:
    """The first paragraph after the '# title' line."""
    block: list[str] = []
    for line in body.splitlines()[1:]:
        if line.strip():
            block.append(line.strip())
        elif block:
            break
    return " ".join(block)


def step_lists(lines: list[str]) -> list[list[int]]:
    """The numbers of each numbered list in a section; blank and indented lines continue a list."""
    lists: list[list[int]] = []
    current: list[int] | None = None
    for line in lines:
        if (m := STEP.match(line)) and not line[:1].isspace():  # an indented number is a nested list
            if current is None:
                current = []
                lists.append(current)
            current.append(int(m.group(1)))
        elif line.strip() and not line.startswith((" ", "\t")):
            current = None
    return lists


# A new sentence: '.', '!' or '?' (maybe a closing quote or bracket), whitespace, a capital letter.
_BOUNDARY = re.compile(r"(\S*?)([.!?…]+)[\"'”’)\]]*\s+[\"'“‘(\[]*(\w)")
_ABBREVIATIONS = {
    "tp", "tt", "q", "p", "x", "h", "tx", "ts", "ths", "gs", "pgs", "bs", "ks", "ls", "th", "st",
    "mr", "mrs", "ms", "dr", "v.v", "vv", "vd", "tr", "nxb", "no", "vs", "etc", "e.g", "i.e",
}


def sentence_boundaries(text: str) -> list[str]:
    """Places in one paragraph where a new sentence starts, each as a short excerpt."""
    found = []
    for m in _BOUNDARY.finditer(text):
        word, nxt = m.group(1).strip("\"'“”‘’(["), m.group(3)
        bare = word.lower()
        if not nxt.isupper() or bare in _ABBREVIATIONS or bare.rstrip(".") in _ABBREVIATIONS:
            continue
        if bare and word.isupper() and len(bare) <= 4:  # 'TP. Hồ Chí Minh', 'Q. Đống Đa'
            continue
        found.append(text[max(0, m.start() - 30) : m.end() + 20])
    return found


# --- Phone numbers and secrets ----------------------------------------------------------------

_PHONE_PATTERNS = [
    # Toll-free and premium hotlines: 1800 xxxx, 1900 xxxx, 1900 xx xx xx, 1900xxxxxx.
    re.compile(r"(?<![\d/.,])1[89]00(?:[ .]?\d){4,6}(?![\d/])"),
    # Mobile and landline numbers: 0912 345 678, 024 3826 4561, +84 912 345 678.
    re.compile(r"(?<![\w/.,+])(?:\+84|0)(?:[ .-]?\d){8,10}(?![\d/])"),
    # Short service numbers after words that introduce a number to call: 'gọi 114', 'tổng đài 111'.
    re.compile(
        r"(?:\bgọi|\bquay số|\btổng đài|\bhotline|\bđường dây nóng|\bđường dây hỗ trợ|\bsố khẩn cấp|\bcall)"
        r"(?:\s+(?:ngay|số|cảnh sát|công an|cứu hỏa|cấp cứu|khẩn cấp|đến|tới|điện thoại))*\s*:?\s*"
        r"(?<!\d)(\d{3,5})(?![ .]?\d)",
        re.IGNORECASE,
    ),
]


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def phone_numbers(text: str) -> list[str]:
    return [m.group(m.lastindex or 0).strip() for pattern in _PHONE_PATTERNS for m in pattern.finditer(text)]


_SECRET = r"(?:mã\s+otp|otp|mã\s+xác\s+(?:thực|nhận)|mật\s+khẩu|passcode|mã\s+pin|mã\s+cvv|mã\s+bảo\s+mật)"
# A hand-over names the recipient with 'cho'/'với': 'ứng dụng gửi mã OTP đến số điện thoại' is the system.
_HAND_OVER = re.compile(
    r"\b(?:(?:đọc|gửi|cung\s+cấp|đưa|nói|báo|nhắn|tiết\s+lộ|chụp(?:\s+màn\s+hình)?(?:\s+gửi)?)"
    r"(?:\s+\S+){0,2}?\s+" + _SECRET + r"(?:\s+\S+){0,4}?\s+cho"
    r"|chia\s+sẻ(?:\s+\S+){0,2}?\s+" + _SECRET + r"(?:\s+\S+){0,4}?\s+(?:cho|với))\b",
    re.IGNORECASE,
)
# Earlier in the sentence, a negation, a past mistake or a scammer's demand makes it a warning.
_NOT_AN_INSTRUCTION = re.compile(
    r"\b(?:không|đừng|chớ|cấm|tuyệt\s+đối|never|do\s+not|don't"
    r"|lỡ|trót|đòi|dụ|ép|giục|lừa|kẻ\s+gian|kẻ\s+xấu|giả\s+danh|giả\s+mạo|mạo\s+danh)\b",
    re.IGNORECASE,
)
_PAST_BEFORE = re.compile(r"\b(?:đã|bị)\s*$", re.IGNORECASE)  # 'nếu bạn đã gửi mật khẩu cho …'
# 'đưa mã OTP cho người khác là để họ dùng tiền của bạn': the hand-over is a statement's subject.
_STATEMENT_AFTER = re.compile(r"^\s*(?:\S+\s+){0,4}?(?:là|thì|nghĩa\s+là|đồng\s+nghĩa)\b", re.IGNORECASE)
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")


def secret_requests(text: str) -> list[str]:
    """Sentences that tell the reader to hand an OTP, password or passcode to someone."""
    bad = []
    for sentence in _SENTENCE_SPLIT.split(text):
        for m in _HAND_OVER.finditer(sentence):
            before, after = sentence[: m.start()], sentence[m.end() :]
            if not (_NOT_AN_INSTRUCTION.search(before) or _PAST_BEFORE.search(before) or _STATEMENT_AFTER.match(after)):
                bad.append(sentence.strip())
                break
    return bad


# --- Checking a guide -----------------------------------------------------------------------

_VIETNAMESE_MARKS = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.IGNORECASE)


def url_problem(url: object) -> str | None:
    if not isinstance(url, str):
        return f"{url!r} không phải chuỗi"
    if url != url.strip() or any(ch.isspace() for ch in url):
        return f"'{url}' có khoảng trắng"
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https"):
        return f"'{url}' không bắt đầu bằng http(s)"
    host = parsed.hostname or ""
    if not parsed.netloc or "." not in host or host.startswith(".") or host.endswith("."):
        return f"'{url}' không có tên miền đúng"
    return None


def guide_name(path: Path, root: Path | None = None) -> str:
    """The guide's path inside the corpus ('vneid/quen-mat-khau.md'); outside it, folder and file name."""
    if root is not None and path.resolve().is_relative_to(root.resolve()):
        return path.resolve().relative_to(root.resolve()).as_posix()
    return f"{path.parent.name}/{path.name}"


def _encoding(raw: bytes) -> str | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"không phải UTF-8 ({exc.reason} ở byte {exc.start}) — hãy lưu lại tệp với mã UTF-8"
    if unicodedata.normalize("NFC", text) != text:
        bad = next(i for i, ch in enumerate(text)
                   if unicodedata.normalize("NFC", ch) != ch or unicodedata.combining(ch))
        return f"chưa ở dạng NFC (gần {text[max(0, bad - 20):bad + 10]!r}) — hãy gõ lại dấu bằng bộ gõ Unicode dựng sẵn"
    return None


def _meta_problems(meta: dict[str, Any], folder: str, today: dt.date) -> dict[str, str]:
    problems: dict[str, str] = {}
    if missing := [k for k in REQUIRED_FIELDS if not str(meta.get(k) or "").strip()]:
        problems["fields"] = f"thiếu trường {', '.join(missing)} trong phần đầu — hãy điền"
    topic = meta.get("topic")
    if topic not in TOPICS or topic != folder:
        problems["topic"] = f"topic '{topic}' nhưng tệp nằm trong thư mục '{folder}/' — hãy sửa topic hoặc chuyển tệp"
    if problem := url_problem(meta.get("source_url")):
        problems["source_url"] = f"source_url {problem} — hãy ghi địa chỉ https://… đầy đủ"
    other = meta.get("other_sources")
    if other is not None and not isinstance(other, list):
        problems["other_sources"] = (f"other_sources phải là danh sách địa chỉ (mỗi dòng '  - https://…'),"
                                     f" không phải {type(other).__name__}")
    elif other and (bad := [p for p in map(url_problem, other) if p]):
        problems["other_sources"] = f"other_sources có địa chỉ sai: {'; '.join(bad)}"
    try:
        checked = dt.date.fromisoformat(str(meta.get("checked")))
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(meta.get("checked"))):
            raise ValueError
        if checked > today:
            problems["checked"] = f"ngày kiểm tra {checked} ở tương lai — hãy ghi ngày đã kiểm tra thật"
    except ValueError:
        problems["checked"] = f"checked '{meta.get('checked')}' phải là ngày dạng YYYY-MM-DD"
    if (every := meta.get("review_every")) is not None and not valid_period(every):
        problems["review_every"] = (f"review_every '{every}' phải là số ngày nguyên dương"
                                    f" (bỏ trống thì theo chủ đề: {REVIEW_EVERY.get(folder, '?')} ngày)")
    if bad := [k for k in ("title", "source_name") if not isinstance(meta.get(k), str) or "\n" in meta[k].strip()]:
        problems["plain_text"] = f"{', '.join(bad)} phải là chữ trên một dòng"
    if (audience := meta.get("audience")) is not None and audience not in AUDIENCES:
        problems["audience"] = f"audience '{audience}' không hợp lệ (chọn một trong: {', '.join(sorted(AUDIENCES))})"
    return problems


def _body_problems(doc: Document) -> dict[str, str]:
    from ingest.splitter import split  # langchain: loaded only when a body is checked

    problems: dict[str, str] = {}
    body, title = doc.body, doc.meta.get("title")
    if (first := body.splitlines()[0].rstrip()) != f"# {title}":
        problems["title_heading"] = f"dòng đầu là {first!r} — hãy mở bài bằng '# {title}'"
    summary = summary_paragraph(body)
    if not summary:
        problems["summary"] = "không có đoạn tóm tắt sau tiêu đề — hãy viết một câu tóm tắt"
    elif summary.startswith(("#", "- ", "* ", "1. ")):
        problems["summary"] = f"sau tiêu đề là {summary[:40]!r}, chưa có câu tóm tắt — hãy viết một câu tóm tắt"
    elif extra := sentence_boundaries(summary):
        problems["summary"] = f"tóm tắt dài hơn một câu (câu mới ở: {extra}) — hãy gộp thành một câu"
    if empty := [t for level, t, lines in sections(body) if level >= 2 and not any(ln.strip() for ln in lines)]:
        problems["empty_section"] = f"mục không có nội dung: {empty} — hãy viết nội dung hoặc bỏ mục"
    h2 = h2_sections(body)
    if missing := [f"## {s}" for s in REQUIRED_SECTIONS if s not in [t for t, _ in h2]]:
        problems["sections"] = f"thiếu mục {', '.join(missing)} — hãy thêm"
    chunks = split(doc)
    if len(chunks) < 2:
        problems["chunks"] = f"chỉ cắt được {len(chunks)} đoạn — hãy chia bài bằng các mục '## …'"
    elif bad_chunks := [c.section or "(không tên)" for c in chunks if not c.text.strip() or not c.section.strip()]:
        problems["chunks"] = f"có đoạn rỗng hoặc không tên mục: {bad_chunks} — hãy sửa các mục đó"
    steps = []
    for name, lines in (s for s in h2 if s[0].startswith("Các bước")):
        numbered = step_lists(lines)
        steps += [f"'{name}' không có bước đánh số"] if not numbered else []
        steps += [f"'{name}' đánh số {n}" for n in numbered if n != list(range(1, len(n) + 1))]
    if steps:
        problems["steps"] = f"{'; '.join(steps)} — các bước phải đánh số 1, 2, 3… liên tục"
    words = re.findall(r"[^\W\d_]+", body)
    if (ratio := sum(1 for w in words if _VIETNAMESE_MARKS.search(w)) / max(len(words), 1)) < 0.3:
        problems["diacritics"] = f"chỉ {ratio:.0%} số chữ có dấu tiếng Việt — hãy viết có dấu"
    allowed = {digits(p) for p in ALLOWED_PHONES}
    if phones := [n for n in phone_numbers(body) if digits(n) not in allowed]:
        problems["phone"] = (f"số điện thoại chưa được xác nhận: {phones} — chỉ dùng"
                             f" {', '.join(sorted(ALLOWED_PHONES))} hoặc bỏ số đó")
    if secrets := secret_requests(body):
        problems["secret"] = f"có câu bảo người đọc đưa mã OTP/mật khẩu: {secrets} — hãy viết lại thành lời cảnh báo"
    return problems


@dataclass
class _Inspected:
    findings: list[Finding]
    raw: bytes
    doc: Document | None


def _inspect(path: Path, rel: str, today: dt.date) -> _Inspected:
    findings: dict[str, str] = {}
    parts = PurePosixPath(rel).parts
    if len(parts) != 2 or parts[0] not in TOPICS:
        findings["placement"] = f"phải nằm ngay trong một thư mục chủ đề ({', '.join(TOPICS)})"
    raw, doc = path.read_bytes() if path.is_file() else b"", None
    try:
        doc = load(path, f"corpus/{rel}")
    except CorpusError as exc:
        findings["loader"] = f"ingest không nhận — {str(exc).removeprefix(f'corpus/{rel}: ')}"
    if path.suffix.lower() in TEXT_FORMATS and raw and (problem := _encoding(raw)):
        findings["encoding"] = problem
    if doc is not None:
        findings |= _meta_problems(doc.meta, path.parent.name, today) | _body_problems(doc)
    order = list(RULES)
    return _Inspected([Finding(r, f"{rel}: {m}") for r, m in sorted(findings.items(), key=lambda x: order.index(x[0]))],
                      raw, doc)


def check_guide(path: Path, rel: str, *, today: dt.date | None = None) -> list[Finding]:
    """Every per-guide rule on one file; `rel` is its path inside the corpus ('vneid/quen-mat-khau.md')."""
    return _inspect(path, rel, today or dt.date.today()).findings


def check_corpus(paths: Iterable[Path], root: Path | None = None, *,
                 today: dt.date | None = None) -> dict[str, list[Finding]]:
    """Findings per guide (named relative to `root`), with the rules across guides: titles and content."""
    files = sorted({p for given in paths for p in ([given] if given.is_file() else _guides_under(given))})
    inspected = {guide_name(p, root): _inspect(p, guide_name(p, root), today or dt.date.today()) for p in files}
    titles: defaultdict[str, list[str]] = defaultdict(list)
    contents: defaultdict[tuple[str, str], list[str]] = defaultdict(list)
    for rel, seen in inspected.items():
        contents[("file", hashlib.sha256(seen.raw).hexdigest())].append(rel)
        if seen.doc is not None:
            titles[unicodedata.normalize("NFC", str(seen.doc.meta["title"])).strip().casefold()].append(rel)
            text = " ".join(unicodedata.normalize("NFC", seen.doc.body).split())
            contents[("body", hashlib.sha256(text.encode()).hexdigest())].append(rel)
    for rule, groups, fix in (("unique_title", titles.values(), "trùng tiêu đề với {} — hãy đặt tiêu đề khác"),
                              ("duplicate", contents.values(), "trùng nội dung với {} — hãy gộp hoặc xoá bản thừa")):
        for group in groups:
            for rel in group if len(group) > 1 else []:
                others = ", ".join(sorted(set(group) - {rel}))
                finding = Finding(rule, f"{rel}: {fix.format(others)}")
                if finding not in inspected[rel].findings:  # identical bytes also give identical bodies
                    inspected[rel].findings.append(finding)
    return {rel: seen.findings for rel, seen in inspected.items()}


def _guides_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and supported(p))
