"""What staff should write next: unanswered, unsure and disliked questions, grouped, counted, newest first."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.feedback import Feedback
from assistant.textnorm import clean, content_terms

SIMILAR = 0.5  # Jaccard overlap of meaning words that puts two questions in one group
DISPLAY_LIMIT = 160  # characters of a question shown in the report; the CSV keeps the full text
JUNK_LENGTH = 300  # a question longer than this is pasted text, not a question
_REPEATED_UNIT = re.compile(r"(.{1,4}?)\1{2,}")  # "aaaa", "hahaha", "asdasdasd"


@dataclass
class Gap:
    examples: list[str] = field(default_factory=list)  # newest first
    count: int = 0
    last_seen: str = ""
    reasons: Counter[str] = field(default_factory=Counter)
    terms: set[str] = field(default_factory=set)


def read_log(path: Path, limit: int = 20_000) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    entries = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            try:
                entries.append(json.loads(line))
            except ValueError:
                continue  # a torn line from a crash must not hide the rest
    return entries[-limit:]


def jaccard(a: AbstractSet[str], b: AbstractSet[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def group(items: list[tuple[str, str, str]]) -> list[Gap]:
    """Greedy grouping of (time, question, reason) by shared meaning words; newest first."""
    gaps: list[Gap] = []
    for time, question, reason in sorted(items, key=lambda x: x[0], reverse=True):
        terms = content_terms(question)
        target = next((g for g in gaps if jaccard(terms, g.terms) >= SIMILAR), None)
        if target is None:
            target = Gap(last_seen=time, terms=set(terms))
            gaps.append(target)
        target.count += 1
        target.reasons[reason] += 1
        if question not in target.examples and len(target.examples) < 5:
            target.examples.append(question)
    return sorted(gaps, key=lambda g: (g.count, g.last_seen), reverse=True)


def _items(log_entries: list[dict[str, Any]], feedback: list[Feedback]) -> list[tuple[str, str, str]]:
    items = [(e["time"], e["question"], "không có câu trả lời") for e in log_entries
             if e.get("status") == "no_answer" and e.get("question", "").strip()]
    # answered, but the guides only just seemed to cover it: a guide may be missing here too
    items += [(e["time"], e["question"], "trả lời chưa chắc chắn") for e in log_entries
              if e.get("status") == "answered" and e.get("unsure") and e.get("question", "").strip()]
    items += [(f.time, f.question, "bị đánh giá 👎") for f in feedback if f.rating < 0]
    return items


def gap_report(log_entries: list[dict[str, Any]], feedback: list[Feedback]) -> list[Gap]:
    return group(_items(log_entries, feedback))


def shorten(text: str, limit: int = DISPLAY_LIMIT) -> str:
    """One line of at most `limit` characters for display, ending in '…' when cut (at a space if one is near)."""
    text = clean(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit * 2 // 3:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + "…"


def junk_reason(question: str) -> str | None:
    """Why a question reads as pasted text or keyboard noise, in Vietnamese; None for a real question."""
    text = clean(question)
    if len(text) > JUNK_LENGTH:
        return f"quá dài ({len(text):,} ký tự)".replace(",", ".")
    chars = [c for c in text.lower() if not c.isspace()]
    if not chars:
        return None
    if not any(c.isalpha() for c in chars):
        return "không có chữ"
    if sum(c.isalnum() for c in chars) < len(chars) / 2:
        return "phần lớn là ký hiệu"
    words = text.lower().split()
    if _REPEATED_UNIT.fullmatch("".join(chars)) or (len(words) >= 3 and len(set(words)) <= len(words) // 3):
        return "lặp đi lặp lại một chữ"
    return None


@dataclass
class GapSections:
    groups: list[Gap]  # real questions staff could write a guide for
    junk: list[Gap]  # too long or meaningless: shown apart, never hidden


def gap_sections(log_entries: list[dict[str, Any]], feedback: list[Feedback]) -> GapSections:
    """The gap report with long or meaningless questions grouped apart, so they cannot crowd out real ones."""
    items = _items(log_entries, feedback)
    return GapSections(groups=group([i for i in items if junk_reason(i[1]) is None]),
                       junk=group([i for i in items if junk_reason(i[1]) is not None]))


@dataclass(frozen=True)
class GapRow:
    count: int
    last_seen: str  # "YYYY-MM-DD HH:MM"
    reasons: str
    examples: list[str]  # shortened for display


def display_rows(gaps: list[Gap], limit: int = DISPLAY_LIMIT) -> list[GapRow]:
    """What the admin table shows: examples shortened; for junk groups the reason says why it was set apart."""
    rows = []
    for g in gaps:
        reasons = [f"{r} ({n})" for r, n in g.reasons.most_common()]
        why = junk_reason(g.examples[0]) if g.examples else None
        if why:
            reasons.append(why)
        rows.append(GapRow(g.count, g.last_seen[:16].replace("T", " "), "; ".join(reasons),
                           [shorten(q, limit) for q in g.examples]))
    return rows


def spreadsheet_safe(cell: str) -> str:
    """Residents' words go into a file staff open in a spreadsheet: a cell that starts like a formula
    ("=HYPERLINK(…)", "+…", "-…", "@…") is prefixed with ' so it is shown as text, never run."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def to_csv(gaps: list[Gap]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["so_lan", "lan_cuoi", "ly_do", "vi_du"])
    for g in gaps:
        reasons = "; ".join(f"{r} ({n})" for r, n in g.reasons.most_common())
        writer.writerow([g.count, g.last_seen, spreadsheet_safe(reasons), spreadsheet_safe(" | ".join(g.examples))])
    return buffer.getvalue()


def figures(log_entries: list[dict[str, Any]]) -> dict[str, Any]:
    per_day: Counter[str] = Counter(e["time"][:10] for e in log_entries if "time" in e)
    statuses: Counter[str] = Counter(e.get("status", "") for e in log_entries)
    cited: Counter[str] = Counter(e["sources"][0] for e in log_entries if e.get("sources"))
    total = len(log_entries)
    return {
        "questions": total,
        "per_day": dict(sorted(per_day.items(), reverse=True)[:14]),
        "answered_share": statuses["answered"] / total if total else 0.0,
        "statuses": dict(statuses),
        "top_guides": cited.most_common(10),
    }
