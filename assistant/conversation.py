"""Follow-up questions, made standalone without an LLM.

"còn nếu quên mật khẩu thì sao?" after a question about VNeID becomes "quên mật khẩu VNeID":
when a follow-up names no subject of its own, the subject of the previous turn is carried
over. "bước 3 là gì?" is answered from the steps already shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.models import Answer
from assistant.textnorm import fold

# Subjects a question can be about: folded pattern → the words carried into a follow-up.
SUBJECTS: list[tuple[str, str]] = [
    (r"\bvneid\b|dinh danh dien tu", "VNeID"),
    (r"dich vu cong|\bdvc\b|cong dich vu|public service", "Cổng dịch vụ công"),
    (r"\bvietqr\b|ma qr|quet qr|\bqr\b", "mã QR"),
    (r"chuyen khoan|chuyen tien|\bck\b|\btransfer", "chuyển khoản ngân hàng"),
    (r"vi dien tu|wallet", "ví điện tử"),
    (r"mobile money|tien di dong", "Mobile Money"),
    (r"ngan hang|\bbank", "ngân hàng"),
    (r"sinh trac|khuon mat", "sinh trắc học ngân hàng"),
    (r"\bbhyt\b|bao hiem y te|health insurance", "thẻ bảo hiểm y tế"),
    (r"\bgplx\b|bang lai|giay phep lai xe|driving licen", "giấy phép lái xe"),
    (r"can cuoc|\bcccd\b|\bid card", "thẻ căn cước"),
    (r"tam tru|thuong tru|residence", "đăng ký tạm trú thường trú"),
    (r"luu tru", "thông báo lưu trú"),
    (r"ly lich tu phap|criminal record", "phiếu lý lịch tư pháp"),
    (r"khai sinh|birth", "đăng ký khai sinh"),
    (r"lua dao|gia danh|mao danh|scam|fraud", "lừa đảo"),
    (r"binh dan hoc vu so", "Bình dân học vụ số"),
]
_FOLLOW_UP = re.compile(
    r"^(con|the con|vay|vay con|neu|con neu|the neu|the thi|thi sao|roi|sau do|tiep theo|cai do|cai nay|no|"
    r"what about|and if|and|then|also)\b"
)
_STEP_REF = re.compile(r"\b(buoc|step)\s*(?:so\s*)?(\d{1,2})\b")


@dataclass
class Exchange:
    question: str  # as searched (already standalone)
    answer: Answer


def subjects_in(text: str) -> list[str]:
    folded = fold(text)
    return [name for pattern, name in SUBJECTS if re.search(pattern, folded)]


def step_reference(question: str) -> int | None:
    """The step number a question like 'bước 3 là gì?' asks about, if it asks nothing else."""
    folded = fold(question).strip(" ?.!")
    match = _STEP_REF.search(folded)
    if not match:
        return None
    rest = _STEP_REF.sub(" ", folded)
    rest = re.sub(r"\b(la gi|lam gi|nghia la gi|the nao|noi gi|la sao|what is|is what|con|vay|thi sao)\b", " ", rest)
    return int(match.group(2)) if not rest.strip(" ,?.!") else None


def condense(question: str, history: list[Exchange]) -> str:
    """A standalone version of `question`, carrying over the last subject when it names none."""
    if not history or subjects_in(question):
        return question
    previous = next((e for e in reversed(history) if e.answer.status == "answered"), None)
    if previous is None:
        return question
    carried = subjects_in(previous.question)
    if not carried and previous.answer.citations:
        carried = [previous.answer.citations[0].title]
    if not carried:
        return question
    folded = fold(question).strip()
    stripped = question.strip()
    if follow_up := _FOLLOW_UP.match(folded):
        # Drop the leading "còn", "thế còn"… that only point back to the last turn.
        words = stripped.split()
        lead = len(follow_up.group(0).split())
        stripped = " ".join(words[lead:]) or stripped
    return f"{stripped.rstrip(' ?')} {' '.join(carried[:2])}".strip()
