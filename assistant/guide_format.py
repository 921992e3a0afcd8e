"""How a guide is written, said once: topics, the sections every guide has, numbered steps and bullets.

Ingest checks guides against it (ingest/conventions.py) and keeps lists together (ingest/loaders.py);
answers, step cards and the generative verifier read steps and bullets out of passages with it. The
corpus writes steps as "1. …" and bullets as "- …" at the start of a line; "1) …", "*", "•" and "+"
are read the same way so an uploaded guide written otherwise still works.
"""

from __future__ import annotations

import re

from assistant.textnorm import fold

TOPICS = ("vneid", "dichvucong", "thanh-toan", "an-toan", "phong-trao")  # one folder of corpus/ each
SAFETY_TOPIC = "an-toan"  # scam safety: the source of the "never give your OTP" warning
PAYMENT_TOPIC = "thanh-toan"
# Days between two checks of a guide, unless its front matter sets `review_every`: scams and fees
# change fast, procedures less so, the movement's own pages slowly.
REVIEW_EVERY = {"an-toan": 90, "thanh-toan": 90, "vneid": 180, "dichvucong": 180, "phong-trao": 365}

SUMMARY_SECTION = "Tóm tắt"  # the section the splitter gives a guide's opening paragraph
NOTES_SECTION = "Lưu ý"
HELP_SECTION = "Cần hỗ trợ"
REQUIRED_SECTIONS = (NOTES_SECTION, HELP_SECTION)

STEP = re.compile(r"^\s*(\d{1,2})[.)]\s+(.+)$")  # "1. Mở ứng dụng VNeID" → ("1", "Mở ứng dụng VNeID")
BULLET = re.compile(r"^\s*[-*•+]\s+(.+)$")
LIST_MARK = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*•+])\s+")  # the marker of either, to strip it
# Sections of the safety guides that retell what scammers say and do ("Kẻ gian thường nói gì",
# "Dấu hiệu nhận biết", "Các kiểu giả shipper thường gặp", "Ví dụ đã xảy ra"), by folded heading.
_SCAM_STORY = re.compile(r"\b(ke gian|thuong gap|vi du)\b")
_SCAM_SIGNS = re.compile(r"\bdau hieu\b")


def steps_in(text: str) -> list[str]:
    """The numbered steps of a passage, without their numbers."""
    return [m.group(2).strip() for line in text.splitlines() if (m := STEP.match(line))]


def bullets_in(text: str) -> list[str]:
    return [m.group(1).strip() for line in text.splitlines() if (m := BULLET.match(line))]


def _is(section: str, name: str) -> bool:
    return fold(section).startswith(fold(name))


def is_summary(section: str) -> bool:
    return _is(section, SUMMARY_SECTION)


def is_notes(section: str) -> bool:
    return _is(section, NOTES_SECTION)


def is_help(section: str) -> bool:
    return _is(section, HELP_SECTION)


def retells_scam(section: str) -> bool:
    """A section retelling the scam: what scammers say or did, or the signs to tell them by."""
    return retells_story(section) or bool(_SCAM_SIGNS.search(fold(section)))


def retells_story(section: str) -> bool:
    """A section retelling what scammers say or did, not the signs to tell them by."""
    return bool(_SCAM_STORY.search(fold(section)))
