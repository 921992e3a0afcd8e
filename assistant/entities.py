"""Does a piece of guide text hold the kind of fact a question asks for?

An amount question needs a sum of money, a percentage or "miễn phí"; a time question a
duration or a date; a place question a place; a contact question a phone number. Used twice: to decide whether a section can
answer at all (answerability) and to pick the sentences that answer it (the composer).
"""

from __future__ import annotations

import re

from assistant.textnorm import fold

ENTITY: dict[str, re.Pattern[str]] = {
    "amount": re.compile(
        r"(\d[\d.,]*\s*(dong|d\b|vnd|trieu|nghin|ngan|ty\b|%|phan tram|usd)|\b(mien|khong mat|khong thu|khong ton|"
        r"khong phai tra|khong phai dong) (phi|tien|le phi)|\bmien (phi|le phi)\b|free of charge|\b(phi|le phi|so tien)\b.{0,30}"
        r"\b(hien (ra|len|tren)|se hien|ghi (trong|tren|khi)|theo bieu)\b|\bhan muc\b.{0,40}\d)"
    ),
    "time": re.compile(
        r"(\d+\s*(ngay|thang|nam|gio|phut|tuan|giay)\b|\d{1,2}/\d{1,2}(/\d{2,4})?|\b(trong vong|ngay lap tuc|ngay khi|"
        r"het han|co hieu luc|thoi han|hang thang|khong thoi han|vinh vien|ngay lam viec|trong ngay|tuc thi|ngay sau khi|"
        r"(ngay )?hom sau|ngay mai|cung ngay|cuoi (ngay|thang|nam))\b)"
    ),
    "place": re.compile(
        r"(\b(tai|o|den|len|tren|vao|qua)\s+(cong|ung dung|ubnd|uy ban|cong an|buu dien|buu chinh|quay|bo phan|"
        r"trung tam|diem|trang|website|app|vneid|ngan hang|chi nhanh|nha van hoa|tru so|noi|co quan|tong dai|kho)\b|"
        r"https?://|\.gov\.vn|\.vn\b|mot cua|app store|ch play)"
    ),
    "count": re.compile(
        r"\b(\d+|mot|hai|ba|bon|nam|sau|bay|tam|chin|muoi|duy nhat)\s+(nguoi|chu so|con so|so|cach|buoc|loai|ung dung|"
        r"muc|lan|tai khoan|the|kenh|giay to|thanh vien|ky tu|tuoi|chu)\b|\bchi co (mot|duy nhat)\b"
    ),
    # a hotline or phone number: 1900 0368, 1800 1234, 0243 123 4567, 113
    "contact": re.compile(r"\b(1900|1800)[ .]?\d{3,4}([ .]?\d{2,4})?\b|\b0\d{2,3}[ .]?\d{3}[ .]?\d{3,4}\b|\b11[345]\b"),
    "who": re.compile(
        r"\b(nguoi|cong dan|cha me|chu ho|chu nha|can bo|cong an|ngan hang|dai su so|to cong nghe|ai|tre|con|"
        r"nguoi than|tu \d+ tuoi|duoi \d+ tuoi)\b"
    ),
}


# A question about a fee ("mất phí bao nhiêu", "có tốn tiền không") is answered by a sum said of a
# fee, not by any sum: "trên 10 triệu đồng một lần thì phải quét khuôn mặt" is a limit.
_ASKS_FEE = re.compile(r"\b(phi|le phi|hoc phi|mat tien|ton tien|fee|fees|cost|costs|charge|charged)\b")
_SAYS_FEE = re.compile(r"\b(phi|le phi|hoc phi|gia|muc thu|thu (them )?tien|mat tien|ton tien|fee|free)\b")


def has_entity(kind: str, text: str, question: str = "") -> bool:
    """True when `text` holds the fact a question of `kind` asks for (always True for other kinds).

    Given the `question`, an amount asked of a fee must be a fee: a line (a guide's bullet or step)
    that states a sum or "miễn phí" and speaks of a fee."""
    pattern = ENTITY.get(kind)
    if pattern is None:
        return True
    folded = fold(text)
    if kind == "amount" and _ASKS_FEE.search(fold(question)):
        return any(pattern.search(s) and _SAYS_FEE.search(s) for s in folded.splitlines())
    return bool(pattern.search(folded))


# The kinds the answerability model was fitted with a "missing fact" feature for; a count the
# guide does not state is rare enough that the composer alone looks for it.
CHECKED_KINDS = ("amount", "time", "place", "who", "contact")


def asks_for_entity(kind: str) -> bool:
    return kind in CHECKED_KINDS


# "mất mấy ngày", "bao nhiêu tháng", "how many days": the unit the answer must be counted in. A guide
# section often states a validity in months next to a processing time in days; the unit tells them apart.
_ENGLISH_UNITS = {"days": "ngay", "months": "thang", "years": "nam", "hours": "gio", "minutes": "phut", "weeks": "tuan"}
_UNIT_ASKED = re.compile(r"\b(?:may|bao nhieu|how many)\s+(ngay|thang|nam|gio|phut|tuan|days|months|years|hours|"
                         r"minutes|weeks)\b")
_NUMBER = r"(\d+([.,]\d+)?|mot|hai|ba|bon|nam|sau|bay|tam|chin|muoi|vai)"


def asked_unit(question: str) -> str | None:
    """The unit a how-long question counts in ("ngay" for "mất mấy ngày"), or None."""
    match = _UNIT_ASKED.search(fold(question))
    return _ENGLISH_UNITS.get(match.group(1), match.group(1)) if match else None


def states_unit(unit: str, text: str) -> bool:
    """Does `text` give a number of `unit` ("3 ngày làm việc", "hai tháng")?"""
    return bool(re.search(rf"\b{_NUMBER}\s+{unit}\b", fold(text)))
