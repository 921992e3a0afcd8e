"""What staff should write next: unanswered and disliked questions, grouped, counted, newest first."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.feedback import Feedback
from assistant.textnorm import content_terms

SIMILAR = 0.5  # Jaccard overlap of meaning words that puts two questions in one group


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


def gap_report(log_entries: list[dict[str, Any]], feedback: list[Feedback]) -> list[Gap]:
    items = [(e["time"], e["question"], "không có câu trả lời") for e in log_entries
             if e.get("status") == "no_answer" and e.get("question", "").strip()]
    items += [(f.time, f.question, "bị đánh giá 👎") for f in feedback if f.rating < 0]
    return group(items)


def to_csv(gaps: list[Gap]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["so_lan", "lan_cuoi", "ly_do", "vi_du"])
    for g in gaps:
        reasons = "; ".join(f"{r} ({n})" for r, n in g.reasons.most_common())
        writer.writerow([g.count, g.last_seen, reasons, " | ".join(g.examples)])
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
