"""Measure retrieval and answers on the development set (tests/eval/questions/*.tsv).

Each row names the guide that answers the question (path under corpus/) or the status an
out-of-scope question must get. Questions go through the same path as `assistant ask`.
"""

from __future__ import annotations

import csv
import json
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MODES = ("dense", "lexical", "hybrid")
OUT_OF_SCOPE = ("no_answer", "refused")


@dataclass
class Case:
    question: str
    expected: str  # "vneid/quen-mat-khau.md", or "no_answer" / "refused"
    section: str
    style: str
    file: str

    @property
    def in_scope(self) -> bool:
        return self.expected not in OUT_OF_SCOPE


def load_cases(path: Path) -> list[Case]:
    files = sorted(path.glob("*.tsv")) if path.is_dir() else [path]
    cases = []
    for file in files:
        with open(file, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                if not (row.get("question") or "").strip():
                    continue
                cases.append(
                    Case(row["question"], row["expected"].strip(), (row.get("section") or "").strip(),
                         (row.get("style") or "").strip() or "accented", file.name)
                )
    return cases


def guide_rank(sources: list[str], expected: str) -> int | None:
    """1-based rank of the first passage from the expected guide, counting each guide once."""
    seen: list[str] = []
    for source in sources:
        if source not in seen:
            seen.append(source)
    for i, source in enumerate(seen, 1):
        if source.endswith("/" + expected) or source == expected:
            return i
    return None


def summarise(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks) or 1
    return {
        "n": len(ranks),
        "hit@1": sum(1 for r in ranks if r is not None and r <= 1) / n,
        "hit@3": sum(1 for r in ranks if r is not None and r <= 3) / n,
        "mrr@10": sum(1.0 / r for r in ranks if r is not None and r <= 10) / n,
    }


def run(assistant: Any, cases: list[Case]) -> dict[str, Any]:
    from assistant.query import normalise_question

    ranks: dict[str, dict[str, list[int | None]]] = {m: defaultdict(list) for m in MODES}
    statuses: list[tuple[Case, str, str]] = []
    misses: list[dict[str, Any]] = []
    started = time.perf_counter()
    for case in cases:
        answer = assistant.ask(case.question)
        cited = answer.citations[0].source if answer.citations else ""
        statuses.append((case, answer.status, cited))
        if not case.in_scope:
            continue
        query = normalise_question(case.question, assistant.settings.max_question_chars)
        for mode in MODES:
            result = assistant.retriever.search(query, k=10, mode=mode)
            rank = guide_rank([p.chunk.source for p in result.passages], case.expected)
            ranks[mode][case.style].append(rank)
            ranks[mode]["all"].append(rank)
            if mode == "hybrid" and (rank is None or rank > 1):
                misses.append({"question": case.question, "expected": case.expected, "rank": rank,
                               "got": result.passages[0].chunk.source if result.passages else None})
    seconds = time.perf_counter() - started

    retrieval = {m: {style: summarise(r) for style, r in sorted(by_style.items())} for m, by_style in ranks.items()}
    tp = sum(1 for c, s, _ in statuses if not c.in_scope and s in OUT_OF_SCOPE)
    fp = sum(1 for c, s, _ in statuses if c.in_scope and s in OUT_OF_SCOPE)
    fn = sum(1 for c, s, _ in statuses if not c.in_scope and s not in OUT_OF_SCOPE)
    in_scope = [(c, s, src) for c, s, src in statuses if c.in_scope]
    exact = sum(1 for c, s, _ in statuses if not c.in_scope and s == c.expected)
    answered_right = sum(1 for c, s, src in in_scope if s == "answered" and src.endswith("/" + c.expected))
    return {
        "questions": len(cases),
        "in_scope": len(in_scope),
        "out_of_scope": len(cases) - len(in_scope),
        "retrieval": retrieval,
        "no_answer": {
            "precision": tp / (tp + fp) if tp + fp else 1.0,
            "recall": tp / (tp + fn) if tp + fn else 1.0,
            "exact_status": exact / max(1, len(cases) - len(in_scope)),
            "in_scope_wrongly_declined": fp / max(1, len(in_scope)),
        },
        "answer_cites_expected_first": answered_right / max(1, len(in_scope)),
        "seconds": round(seconds, 1),
        "misses": misses,
    }


def format_report(report: dict[str, Any]) -> str:
    lines = [
        f"Câu hỏi: {report['questions']} (trong phạm vi {report['in_scope']}, ngoài phạm vi {report['out_of_scope']}),"
        f" {report['seconds']} s",
        "",
        f"{'mode':8} {'style':12} {'n':>4} {'hit@1':>6} {'hit@3':>6} {'mrr@10':>7}",
    ]
    for mode in MODES:
        for style, m in report["retrieval"][mode].items():
            lines.append(f"{mode:8} {style:12} {m['n']:>4} {m['hit@1']:>6.3f} {m['hit@3']:>6.3f} {m['mrr@10']:>7.3f}")
    na = report["no_answer"]
    lines += [
        "",
        f"no_answer/refused: precision {na['precision']:.3f}, recall {na['recall']:.3f}, "
        f"exact status {na['exact_status']:.3f}, in-scope wrongly declined {na['in_scope_wrongly_declined']:.3f}",
        f"answered and cites the expected guide first: {report['answer_cites_expected_first']:.3f}",
    ]
    return "\n".join(lines)


def write_report(report: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
