"""Read an answer aloud on the server, for residents whose browser has no Vietnamese voice.

Two halves. `spoken_text()` is pure: it rewrites an answer the way a person at the counter
would say it (no citation marks or Markdown, numbers and dates in words, hotlines digit by
digit, abbreviations spelled out), because a TTS engine reads "50.000đ" or "VNeID" badly.
`synthesize()` hands that text to espeak-ng, which ships in Debian and runs offline, and
caches the WAV so the same answer is only synthesised once.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from pathlib import Path

from assistant.guide_format import BULLET, STEP
from assistant.reply import without_marks

ESPEAK = "espeak-ng"  # the binary; Debian package of the same name
VOICE = "vi"  # Northern Vietnamese; espeak-ng also has vi-vn-x-central and vi-vn-x-south
TIMEOUT = 30  # seconds; 1,500 characters take well under one

# How people say abbreviations aloud. Matched as whole words and case-sensitively, so "Pin"
# (the battery) and "App Store" stay as written. Staff may add entries; longer keys win.
ABBREVIATIONS: dict[str, str] = {
    "VNeID": "vê en i đi",
    "VssID": "vê ét ét i đi",
    "OTP": "ô tê pê",
    "CCCD": "căn cước công dân",
    "CMND": "chứng minh nhân dân",
    "QR": "quy a",
    "VietQR": "việt quy a",
    "UBND": "ủy ban nhân dân",
    "BHYT": "bảo hiểm y tế",
    "BHXH": "bảo hiểm xã hội",
    "GPLX": "giấy phép lái xe",
    "CSGT": "cảnh sát giao thông",
    "ATM": "a tê mờ",
    "SMS": "ét em ét",
    "NFC": "en ép xê",
    "PIN": "pin",
    "STK": "số tài khoản",
    "eKYC": "i kê y xê",
    "app": "ứng dụng",
    "TP.HCM": "thành phố Hồ Chí Minh",
    "VNĐ": "đồng",
}

# Parts of bare domain names ("vneid.gov.vn"), read label by label with "chấm" between.
DOMAIN_WORDS: dict[str, str] = {"vn": "vê en", "gov": "gờ o vê", "vneid": "vê en i đi", "dichvucong": "dịch vụ công"}

# Short numbers that are always phone numbers, even without "gọi" before them.
EMERGENCY = ("111", "112", "113", "114", "115")

# Symbols with a spoken form; other symbols and emoji are dropped.
SYMBOLS = {"→": ",", "⇒": ",", "&": " và ", "@": " a còng ", "%": " phần trăm", "…": "."}
_SILENT = {"\u200d", "\u20e3", "\u2139"}  # zero-width joiner, keycap, ℹ (a letter to Unicode)

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


class SpeechUnavailable(Exception):
    """espeak-ng is missing or failed: the caller should offer the text without audio."""


# --- numbers -------------------------------------------------------------------------------


def _hundreds(n: int, full: bool) -> list[str]:
    """Words for 0 < n < 1000. `full` for a group after a larger one: 5 → 'không trăm linh năm'."""
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    words = [DIGITS[hundreds], "trăm"] if hundreds or full else []
    if tens == 0:
        if units:
            words += ["linh", DIGITS[units]] if words else [DIGITS[units]]
    elif tens == 1:
        words += ["mười"] + (["lăm" if units == 5 else DIGITS[units]] if units else [])
    else:
        words += [DIGITS[tens], "mươi"]
        if units:  # 21 'hai mươi mốt', 25 'hai mươi lăm'; but 11 'mười một', 15 'mười lăm'
            words.append({1: "mốt", 5: "lăm"}.get(units, DIGITS[units]))
    return words


def number_words(n: int) -> str:
    """An integer in Vietnamese words: 2025 → 'hai nghìn không trăm hai mươi lăm'.

    Groups of three digits that are all zero are skipped (1 500 000 is 'một triệu năm trăm
    nghìn'); above a billion the count of 'tỷ' is itself read as a number (nghìn tỷ, triệu tỷ).
    """
    if n < 0:
        return "âm " + number_words(-n)
    if n == 0:
        return DIGITS[0]
    billions, rest = divmod(n, 10**9)
    words = [number_words(billions), "tỷ"] if billions else []
    for scale, unit in ((10**6, "triệu"), (10**3, "nghìn"), (1, "")):
        group = rest // scale % 1000
        if group:
            words += _hundreds(group, full=bool(words))
            words += [unit] if unit else []
    return " ".join(words)


def digit_words(digits: str) -> str:
    """Digit by digit, as phone numbers are read: '113' → 'một một ba'."""
    return " ".join(DIGITS[int(d)] for d in digits if d.isdigit())


def _decimal_words(token: str) -> str:
    """A written number with separators: '1.500.000' and '1,500,000' are one number, '2,5' is
    'hai phẩy năm'. Vietnamese writes a decimal comma; an English decimal point is read the same."""
    if re.fullmatch(r"[1-9]\d{0,2}(\.\d{3})+(,\d+)?", token):
        whole, _, fraction = token.replace(".", "").partition(",")
    elif re.fullmatch(r"[1-9]\d{0,2}(,\d{3})+(\.\d+)?", token):
        whole, _, fraction = token.replace(",", "").partition(".")
    else:
        whole, _, fraction = re.sub(r"[.,]", ".", token).partition(".")
    words = number_words(int(whole))
    if fraction:  # '2,05' → 'hai phẩy không năm': leading zeros digit by digit, then a number
        significant = fraction.lstrip("0")
        zeros = [DIGITS[0]] * (len(fraction) - len(significant))
        words += " phẩy " + " ".join(zeros + ([number_words(int(significant))] if significant else []))
    return words


# --- the number, date, time and phone pass -------------------------------------------------

_NUM = r"(?:[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?|[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?)"

# One scan, left to right; at a given position the first alternative that matches wins,
# so "25/11/2026" is a date before it is three numbers and "50.000đ" is money before a number.
_NUMBERISH = re.compile(
    rf"""
    (?<!\w)(?P<ctx>(?i:gọi(?:\s+ngay)?|hotline|tổng\s+đài|đường\s+dây\s+nóng|đầu\s+số|số\s+điện\s+thoại|sđt)\s*:?\s*)
        (?P<ctxnum>\d{{3,}}(?:[ .-]\d+)*)
    | (?P<dpre>(?i:ngày)\s+)?(?P<d>\d{{1,2}})/(?P<m>\d{{1,2}})/(?P<y>\d{{4}})(?!\d)
    | (?<!\d)(?P<iy>\d{{4}})-(?P<im>\d{{2}})-(?P<id>\d{{2}})(?!\d)
    | (?P<mpre>(?i:tháng)\s+)(?P<mm>\d{{1,2}})/(?P<my>\d{{4}})(?!\d)
    | (?P<dmpre>(?i:ngày)\s+)(?P<dd>\d{{1,2}})/(?P<dm>\d{{1,2}})(?![/\d])
    | (?<![\d.,])(?P<hh>\d{{1,2}})(?::|h)(?P<mi>\d{{2}})(?!\d)
    | (?<![\d.,])(?P<h>\d{{1,2}})h(?!\w)
    | (?<![\d.,])(?P<phone>(?:0\d{{1,4}}|1[89]00)(?:[ .-]\d{{2,4}})+)(?!\d)
    | (?P<money>{_NUM})\s*(?:đồng|VNĐ|VND|vnđ|vnd|đ)(?!\w)
    | (?<![\d.,])(?P<sos>{"|".join(EMERGENCY)})(?![\d]|[.,]\d)
    | (?P<num>{_NUM})
    """,
    re.VERBOSE,
)


def _phone_words(text: str) -> str:
    """'1900 0368' → 'một chín không không, không ba sáu tám': a short pause between groups."""
    return ", ".join(digit_words(group) for group in re.split(r"[ .-]", text) if group)


def _month_words(month: int) -> str:
    return "tư" if month == 4 else number_words(month)  # April is 'tháng tư', never 'tháng bốn'


def _date_words(day: str, month: str, year: str | None) -> str | None:
    d, m = int(day), int(month)
    if not (1 <= d <= 31 and 1 <= m <= 12):
        return None
    words = f"ngày {number_words(d)} tháng {_month_words(m)}"
    return f"{words} năm {number_words(int(year))}" if year else words


def _plain_number(token: str) -> str:
    """A bare number. Runs that start with 0 or have five or more digits are codes, account or
    phone numbers (money is written with separators or a unit), so they are read digit by digit."""
    if token.isdigit() and (len(token) >= 5 or (len(token) > 1 and token.startswith("0"))):
        return digit_words(token)
    return _decimal_words(token)


def _say_number(m: re.Match[str]) -> str:
    g = m.groupdict()
    if g["ctx"] is not None:
        return g["ctx"] + _phone_words(g["ctxnum"])
    if g["d"] is not None:
        return _date_words(g["d"], g["m"], g["y"]) or " ".join(map(_plain_number, (g["d"], g["m"], g["y"])))
    if g["iy"] is not None:
        return _date_words(g["id"], g["im"], g["iy"]) or " ".join(map(_plain_number, (g["iy"], g["im"], g["id"])))
    if g["mm"] is not None:
        if 1 <= int(g["mm"]) <= 12:
            return f"{g['mpre']}{_month_words(int(g['mm']))} năm {number_words(int(g['my']))}"
        return m.group(0)
    if g["dd"] is not None:
        return _date_words(g["dd"], g["dm"], None) or g["dmpre"] + f"{_plain_number(g['dd'])} {_plain_number(g['dm'])}"
    if g["hh"] is not None:
        hour, minute = int(g["hh"]), int(g["mi"])
        if hour > 24 or minute > 59:
            return f"{_plain_number(g['hh'])} {_plain_number(g['mi'])}"
        return f"{number_words(hour)} giờ" + (f" {number_words(minute)}" if minute else "")
    if g["h"] is not None:
        return f"{number_words(int(g['h']))} giờ"
    if g["phone"] is not None:
        return _phone_words(g["phone"])
    if g["money"] is not None:
        return _decimal_words(g["money"]) + " đồng"
    if g["sos"] is not None:
        return digit_words(g["sos"])
    return _plain_number(g["num"])


# --- Markdown, links, symbols --------------------------------------------------------------

_LINK = re.compile(r"\[([^\]\n]+)\]\((?:[^()\s]|\([^()\s]*\))+\)")  # [label](url), url may hold (..)
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"“”)\]]+", re.IGNORECASE)
_DOMAIN = re.compile(r"(?<![\w@.])(?:[a-z0-9-]+\.)+(?:vn|com|net|org|gov)(?!\w|\.\w)", re.IGNORECASE)
_RANGE = re.compile(r"(?<![\d.,-])(\d[\d.,]*(?:h\d{0,2}|%)?)\s*[–-]\s*(?=\d)(?!\d\d-\d\d(?!\d))")  # not 2026-11-25
_HEADING = re.compile(r"^#{1,6}\s+")
_QUOTE = re.compile(r"^>\s+")
_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)\*(?=\S)|(?<=\S)\*(?!\w)|`")
_RULE = re.compile(r"^(?:[-*_]\s*){3,}$|^\|?[\s:|-]+\|[\s:|-]*$")  # --- and Markdown table rules


def _say_domain(m: re.Match[str]) -> str:
    """'vneid.gov.vn' → 'vê en i đi chấm gờ o vê chấm vê en': the resident may need to type it."""
    return " chấm ".join(DOMAIN_WORDS.get(label.lower(), label) for label in m.group(0).split("."))


def _say_range(m: re.Match[str]) -> str:
    """'8-20' → '8 đến 20'; a dash after a phone prefix (024-3825…) is left for the phone rule."""
    left = m.group(1)
    if left.startswith("0") and len(left) > 1 or left in ("1800", "1900"):
        return m.group(0)
    return f"{left} đến "


def _drop_symbols(text: str) -> str:
    """Emoji and pictographs (⚠️ ℹ️ 👍) carry nothing a listener needs; a few symbols have words."""
    out = []
    for ch in text.replace("->", ",").replace("=>", ","):
        if ch in SYMBOLS:
            out.append(SYMBOLS[ch])
        elif ch in _SILENT or unicodedata.category(ch) in ("So", "Sk", "Cs", "Co") or "\ufe00" <= ch <= "\ufe0f":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def _spoken_line(line: str) -> str:
    """One line of Markdown as one spoken sentence: headings, bullets and steps lose their marks,
    steps say 'Bước n', and every line ends with a stop so the engine pauses between them."""
    line = line.strip()
    if not line or _RULE.match(line):
        return ""
    line = _QUOTE.sub("", _HEADING.sub("", line))
    if step := STEP.match(line):
        line = f"Bước {step.group(1)}. {step.group(2)}"
    elif bullet := BULLET.match(line):
        line = bullet.group(1)
    line = _EMPHASIS.sub("", line).replace("|", ",").strip(" ,")
    if line and not re.search(r"[.!?:;]$", line):
        line += "."
    return line


def _say_abbreviations(text: str) -> str:
    if not ABBREVIATIONS:
        return text
    keys = sorted(ABBREVIATIONS, key=len, reverse=True)  # read at call time: staff may extend the dict
    pattern = r"(?<!\w)(?:" + "|".join(map(re.escape, keys)) + r")(?!\w)"
    return re.sub(pattern, lambda m: ABBREVIATIONS[m.group(0)], text)


def _tidy(text: str) -> str:
    text = text.replace("/", " ").replace("#", " thăng ")  # headings are gone; '@ hoặc #' is content
    text = re.sub(r"\(\s*\)", " ", text)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s+([.,!?;:)])", r"\1", text)
    text = re.sub(r"([.!?;:,])(?:\s*[.,])+", r"\1", text)  # ". ." or ":." left by dropped parts
    return text.strip(" ,;:")


def spoken_text(text: str) -> str:
    """The answer as a person would say it in Vietnamese, for a TTS engine.

    Order matters: links become their labels before URLs are dropped, symbols go before lines
    are read as Markdown, and numbers are read before abbreviations so 'VNĐ' after an amount
    becomes 'đồng' only once.
    """
    text = unicodedata.normalize("NFC", text)
    text = _LINK.sub(r"\1", text)
    text = _URL.sub(" ", text)
    text = _DOMAIN.sub(_say_domain, text)
    text = without_marks(text)
    text = _RANGE.sub(_say_range, text)
    text = _drop_symbols(text)
    text = " ".join(filter(None, map(_spoken_line, text.splitlines())))
    text = _NUMBERISH.sub(_say_number, text)
    text = _say_abbreviations(text)
    return _tidy(text)


def truncate(text: str, max_chars: int) -> str:
    """At most `max_chars`, cut after the last full sentence that fits, so the audio never stops
    mid-word; only a single overlong sentence is cut at a space instead."""
    if len(text) <= max_chars:
        return text
    head = text[:max_chars]
    ends = [m.end() for m in re.finditer(r"[.!?](?=\s|$)", text[: max_chars + 1]) if m.end() <= max_chars]
    if ends:
        return head[: ends[-1]].strip()
    return head.rsplit(" ", 1)[0].rstrip(" ,;:") + "."


# --- synthesis -----------------------------------------------------------------------------


def available() -> bool:
    """Whether espeak-ng is installed, so the UI can hide the read-aloud button when it is not."""
    return shutil.which(ESPEAK) is not None


def _unavailable() -> SpeechUnavailable:
    return SpeechUnavailable(
        "Máy chủ chưa cài espeak-ng nên chưa đọc to câu trả lời được. "
        "Quản trị viên cài bằng lệnh: apt-get install espeak-ng"
    )


def synthesize(text: str, cache_dir: Path, *, rate: int = 140, max_chars: int = 1500) -> Path:
    """A WAV file of `text` read aloud in Vietnamese, cached by what is actually spoken.

    The key is the spoken text, rate and voice, so answers that differ only in citation marks
    or Markdown share one file. The text goes to espeak-ng on stdin (never on the command line,
    where its length and content would be exposed), and the WAV is written under a temporary
    name and renamed into place, so a concurrent request never reads half a file.
    """
    spoken = truncate(spoken_text(text), max_chars)
    if not spoken:
        raise ValueError("Không có nội dung để đọc.")
    key = hashlib.sha256(f"{VOICE}\n{rate}\n{spoken}".encode()).hexdigest()
    path = Path(cache_dir) / f"{key}.wav"
    if path.exists():
        return path
    binary = shutil.which(ESPEAK)
    if binary is None:
        raise _unavailable()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{key[:16]}.", suffix=".wav.part")
    os.close(fd)
    try:
        subprocess.run(
            [binary, "-v", VOICE, "-s", str(rate), "-w", tmp, "--stdin"],
            input=spoken.encode("utf-8"), capture_output=True, timeout=TIMEOUT, check=True,
        )
        if os.path.getsize(tmp) == 0:
            raise SpeechUnavailable("espeak-ng không tạo ra âm thanh.")
        os.replace(tmp, path)
    except subprocess.CalledProcessError as exc:
        stderr = exc.stderr.decode("utf-8", "replace").strip() if exc.stderr else ""
        raise SpeechUnavailable(f"espeak-ng báo lỗi: {stderr or exc.returncode}") from exc
    except subprocess.TimeoutExpired as exc:
        raise SpeechUnavailable(f"espeak-ng chạy quá {TIMEOUT} giây.") from exc
    except FileNotFoundError as exc:  # removed between which() and run()
        raise _unavailable() from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
