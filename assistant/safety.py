"""What the assistant refuses, what it warns about, and what never reaches a log.

Patterns run on the folded question so that typing without diacritics changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.textnorm import fold

_INJECTION = [
    r"\b(bo qua|phot lo|quen di|dung tuan theo|khong tuan theo|vo hieu)\b.{0,40}\b(chi dan|huong dan|chi thi|quy tac|lenh|vai tro|gioi han)\b",
    r"\bignore\b.{0,30}\b(instructions?|rules|prompts?|guidelines)\b",
    r"\b(system prompt|developer mode|jailbreak|dan mode|prompt he thong|loi nhac he thong)\b",
    r"\b(tiet lo|in ra|hien thi|cho xem)\b.{0,30}\b(prompt|chi dan he thong|cau lenh he thong|cau hinh)\b",
    r"\b(you are now|pretend to be|act as|tu gio ban la|hay dong vai|dong vai la)\b",
    r"\b(reveal|show|print|tell me|repeat|dump)\b.{0,30}\b(instructions|system prompt|configuration|your prompt|hidden)\b",
]
_OTHERS_DATA = [
    r"\b(tra cuu|tim|cho (toi|minh|em|tui|t)|lay|xem|cung cap|dua)\b.{0,30}"
    r"\b(so cccd|so can cuoc|so dinh danh|so dien thoai|sdt|dia chi|thong tin ca nhan|ngay sinh|so tai khoan|stk|mat khau)\b"
    r".{0,30}\bcua (?!toi\b|minh\b|em\b|tui\b|chinh)(ong|ba|anh|chi|co|chu|bac|nguoi|hang xom|vo|chong|ban|ai|[a-z]+ [a-z]+)",
    r"\b(phone number|home address|id number|password|bank account)\b.{0,20}\bof\b (?!mine|myself)",
    r"\b(dia chi|so dien thoai|sdt|so cccd|so can cuoc|so dinh danh|ngay sinh|so tai khoan|stk)\b( nha| rieng)?"
    r" cua (ong|ba|anh|chi|co|chu|bac|nguoi|hang xom)\b(?! (toi|minh|tui)\b).{0,40}\b(o dau|la gi|la bao nhieu|bao nhieu|the nao)\b",
    r"\b(hack|be khoa|xam nhap|chiem|break into)\b.{0,40}\b(tai khoan|vneid|facebook|zalo|ngan hang|account|phone)\b",
]
_COLLECT_SECRETS = [
    r"\b(gui|doc|dua|nhan|giu|luu|nho|cam)\b.{0,20}\b(otp|mat khau|passcode|ma pin|mk)\b.{0,25}\b(cho|giup|ho)\b.{0,5}\b(ban|tro ly|em|may|bot)\b",
    r"\b(ban|tro ly|bot)\b.{0,20}\b(nhan|giu|luu|nhap)\b.{0,20}\b(otp|mat khau|passcode|ma pin)\b",
    r"\b(dang nhap|kich hoat|chuyen tien|chuyen khoan)\b.{0,10}\b(ho|giup) (toi|minh|em|tui)\b.{0,40}\b(otp|mat khau|passcode|mk)\b",
    r"\b(otp|mat khau|passcode|mk)\b.{0,40}\b(dang nhap|kich hoat|chuyen tien|chuyen khoan)\b.{0,10}\b(ho|giup) (toi|minh|em|tui)\b",
    r"\b(otp|mat khau|passcode|ma pin|mk|password)\b.{0,40}\b(la|:|is)\b.{0,60}\b(ho|giup|dum|for me)\b",
    r"\b(here is|this is) my (otp|password|passcode|pin)\b",
    r"\b(log ?in|sign ?in|transfer)\b.{0,20}\bfor me\b",
]

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\d)(\+?84|0)(?:[\s.-]?\d){8,10}(?!\d)")
_ID_NUMBER = re.compile(r"(?<!\d)(\d{12}|\d{9})(?!\d)")
_SECRET_AFTER = re.compile(
    r"((?:otp|passcode|pin|mat khau|mật khẩu|mk|password)\s*(?:của tôi|cua toi|my)?\s*(?:là|la|is|:|=)\s*)(\S+)",
    re.IGNORECASE,
)
_SECRET_CODE = re.compile(r"((?:otp|passcode|pin|mã|ma)\s*)(\d{4,8})(?!\d)", re.IGNORECASE)
_CODE = re.compile(r"(?<!\d)\d{4,8}(?!\d)")
_LONG_CODE = re.compile(r"(?<!\d)\d{5,8}(?!\d)")


@dataclass
class Verdict:
    refused: bool = False
    reason: str = ""
    sensitive: list[str] = field(default_factory=list)  # kinds of personal data seen in the question


def _any(patterns: list[str], text: str) -> bool:
    return any(re.search(p, text) for p in patterns)


def sensitive_kinds(text: str) -> list[str]:
    kinds = []
    if _EMAIL.search(text):
        kinds.append("email")
    if _PHONE.search(text):
        kinds.append("số điện thoại")
    if _ID_NUMBER.search(_PHONE.sub(" ", text)):
        kinds.append("số định danh")
    folded = fold(text)
    if re.search(r"\b(otp|passcode|ma pin|pin|mat khau|mk|password)\b", folded) and _CODE.search(
        _ID_NUMBER.sub(" ", _PHONE.sub(" ", text))
    ):
        kinds.append("mã OTP/mật khẩu")
    elif re.search(r"\b(mat khau|mk|password)\b\s*(cua toi\s*)?(la|is|:)\s*\S+", folded):
        kinds.append("mã OTP/mật khẩu")
    return kinds


def check(question: str) -> Verdict:
    folded = fold(question)
    if _any(_INJECTION, folded):
        return Verdict(True, "tôi chỉ trả lời theo các hướng dẫn đã được kiểm tra và không đổi cách làm việc theo yêu cầu")
    if _any(_COLLECT_SECRETS, folded):
        return Verdict(True, "tôi không nhận, không giữ và không dùng mã OTP, mật khẩu hay passcode của bất kỳ ai")
    if _any(_OTHERS_DATA, folded):
        return Verdict(True, "tôi không tra cứu hay cung cấp thông tin cá nhân của người khác")
    return Verdict(sensitive=sensitive_kinds(question))


def redact(text: str) -> str:
    """Mask e-mails, phone numbers, ID numbers, OTPs and passwords before anything is stored."""
    text = _EMAIL.sub("[email]", text)
    text = _PHONE.sub("[số điện thoại]", text)
    text = _ID_NUMBER.sub("[số định danh]", text)
    text = _SECRET_AFTER.sub(lambda m: m.group(1) + "[bí mật]", text)
    text = _SECRET_CODE.sub(lambda m: m.group(1) + "[mã]", text)
    return _LONG_CODE.sub("[mã]", text)
