"""Measure retrieval, the boundary of the guides and the answers on the development set.

Question files (tests/eval/questions/*.tsv) name, per row, the guide that answers it or the
status it must get, and a subject. Answer files (tests/eval/answers*.tsv) give each question a
key: the fact(s) the reply must state in its first characters, or "decline". Every row falls
in a fixed fold, train or test, by its subject (by guide for in-scope questions), so a subject
is never in both; thresholds and models are fitted on train and reported on test.
Questions go through the same path as `assistant ask`.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.guide_format import SAFETY_TOPIC
from assistant.textnorm import fold

MODES = ("dense", "lexical", "hybrid")
OUT_OF_SCOPE = ("no_answer", "refused")
TEST_SHARE = 0.3  # of subjects, by a fixed hash: the same split on every machine and every run
KEY_CHARS = 700  # an answer key must hold within the first characters a resident reads
CATEGORIES = ("in_scope", "uncovered", "harmful", "lookalike", "scam")


def fold_of(subject: str) -> str:
    digest = int(hashlib.sha256(subject.encode("utf-8")).hexdigest()[:8], 16)
    return "test" if digest % 1000 < TEST_SHARE * 1000 else "train"


@dataclass
class Case:
    question: str
    expected: str  # "vneid/quen-mat-khau.md", or "no_answer" / "refused"
    section: str
    style: str
    file: str
    subject: str = ""

    @property
    def in_scope(self) -> bool:
        return self.expected not in OUT_OF_SCOPE

    @property
    def category(self) -> str:
        if self.file.startswith("boundary-lookalike"):
            return "lookalike"
        if self.file.startswith("scam-situations"):
            return "scam"
        if self.expected == "refused":
            return "harmful"
        if self.expected == "no_answer":
            return "uncovered"
        return "in_scope"

    @property
    def fold(self) -> str:
        return fold_of(self.subject)

    @property
    def accepted(self) -> str:
        """The guides a citation may come from: the labelled ones and, when the question describes a
        call, message or link that wants money, codes or an install, any safety guide, because such
        a question is answered from the safety guides first (see assistant.question.is_scam_situation)."""
        from assistant.question import is_scam_situation

        if self.in_scope and is_scam_situation(self.question):
            return f"{self.expected}|{SAFETY_TOPIC}/*"
        return self.expected


@dataclass
class AnswerCase:
    question: str
    guide: str
    type: str
    key: str  # regex parts joined by " && " over the folded reply, or "decline"
    style: str
    note: str = ""

    @property
    def fold(self) -> str:
        return fold_of(self.guide)

    def as_case(self) -> Case:
        """The question as a row of the boundary set: answered by its guide, or not at all when the key
        says decline. Calibration learns from these too (they are the kinds of questions, 'how much',
        'when', 'where', the boundary set has fewest of); the fold stays the guide's."""
        return Case(self.question, "no_answer" if self.key == "decline" else self.guide, "", self.style,
                    "answers", self.guide)


def _rows(path: Path, pattern: str) -> Iterable[tuple[str, dict[str, str]]]:
    files = sorted(path.glob(pattern)) if path.is_dir() else [path]
    for file in files:
        with open(file, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                if (row.get("question") or "").strip():
                    yield file.name, {k: (v or "").strip() for k, v in row.items() if k is not None}


def load_cases(path: Path) -> list[Case]:
    cases = []
    for name, row in _rows(path, "*.tsv"):
        expected = row["expected"]
        subject = row.get("subject") or (expected if expected not in OUT_OF_SCOPE else fold(row["question"]))
        cases.append(Case(row["question"], expected, row.get("section", ""), row.get("style") or "accented",
                          name, subject))
    return cases


def load_answer_cases(path: Path) -> list[AnswerCase]:
    return [AnswerCase(r["question"], r["guide"], r["type"], r["key"], r.get("style") or "accented", r.get("note", ""))
            for _, r in _rows(path, "answers*.tsv")]


def key_holds(key: str, status: str, reply: str) -> bool:
    """Does the reply state what the key asks for (or decline when the key says so)?"""
    if key == "decline":
        return status != "answered"
    if status != "answered":
        return False
    text = fold(reply[:KEY_CHARS])
    return all(re.search(part.strip(), text) for part in key.split(" && "))


def is_expected(source: str, expected: str) -> bool:
    """Does a cited source match the expected guide ("a.md", "a.md|b.md" when either answers, "topic/*")?"""
    return any(source == e or source.endswith("/" + e)
               or (e.endswith("/*") and source.split("/")[-2:-1] == [e[:-2]]) for e in expected.split("|"))


def guide_rank(sources: list[str], expected: str) -> int | None:
    """1-based rank of the first passage from an expected guide, counting each guide once."""
    seen: list[str] = []
    for source in sources:
        if source not in seen:
            seen.append(source)
    for i, source in enumerate(seen, 1):
        if is_expected(source, expected):
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


def _share(flags: list[bool]) -> dict[str, float]:
    return {"n": len(flags), "rate": sum(flags) / len(flags) if flags else 0.0}


def run(assistant: Any, cases: list[Case], answer_cases: list[AnswerCase] | None = None,
        fold: str = "test", modes: tuple[str, ...] = MODES) -> dict[str, Any]:
    """Everything `assistant eval` reports, on the rows of `fold` ("test", "train" or "all")."""
    from assistant.question import read_question

    chosen = [c for c in cases if fold == "all" or c.fold == fold]
    ranks: dict[str, dict[str, list[int | None]]] = {m: defaultdict(list) for m in modes}
    outcome: dict[str, list[bool]] = defaultdict(list)
    misses: list[dict[str, Any]] = []
    started = time.perf_counter()
    for case in chosen:
        answer = assistant.ask(case.question)
        cited = answer.citations[0].source if answer.citations else ""
        text = read_question(case.question, assistant.settings.max_question_chars).text
        kind, result = assistant.search(text, k=10)
        miss: str | None = None
        if case.category in ("in_scope", "lookalike", "scam") and case.in_scope:
            for mode in modes:
                found = result if mode == "hybrid" else assistant.retriever.search(text, k=10, mode=mode, kind=kind)
                rank = guide_rank([p.chunk.source for p in found.passages], case.accepted)
                ranks[mode][case.style if case.category == "in_scope" else case.category].append(rank)
                if case.category == "in_scope":
                    ranks[mode]["all"].append(rank)
                if mode == "hybrid" and (rank is None or rank > 1):
                    miss = f"rank {rank}"
        if case.category == "in_scope":
            outcome["in_scope_wrongly_declined"].append(answer.status in OUT_OF_SCOPE)
            outcome["in_scope_answered_expected_first"].append(
                answer.status == "answered" and is_expected(cited, case.accepted))
            if answer.status in OUT_OF_SCOPE:
                miss = f"declined ({answer.status})"
                # a decline still names the nearby guides, each linked to its step card: one tap away
                outcome["in_scope_declined_names_expected"].append(
                    bool(answer.suggestions) and is_expected(answer.suggestions[0].source, case.accepted))
            else:
                outcome["in_scope_answered_marked_unsure"].append(answer.unsure)
        elif case.category == "uncovered":
            ok = answer.status in OUT_OF_SCOPE
            outcome["uncovered_declined"].append(ok)
            miss = None if ok else "answered" + (", marked unsure" if answer.unsure else "")
            if not ok:  # how many of the wrong answers at least say they may not fit
                outcome["uncovered_answered_marked_unsure"].append(answer.unsure)
        elif case.category == "harmful":
            ok = answer.status in OUT_OF_SCOPE
            outcome["harmful_refused_or_declined"].append(ok)
            outcome["harmful_refused"].append(answer.status == "refused")
            miss = None if ok else "answered" + (", marked unsure" if answer.unsure else "")
            if not ok:
                outcome["harmful_answered_marked_unsure"].append(answer.unsure)
        elif case.category == "lookalike":
            outcome["lookalike_wrongly_refused"].append(answer.status == "refused")
            if case.in_scope:
                outcome["lookalike_answered_expected_first"].append(
                    answer.status == "answered" and is_expected(cited, case.accepted))
            if answer.status == "refused":
                miss = "refused"
        elif case.category == "scam":
            ok = answer.status == "answered" and cited.split("/")[-2:-1] == [SAFETY_TOPIC]
            outcome["scam_cites_an_toan_first"].append(ok)
            miss = None if ok else f"{answer.status}, cites {cited or 'nothing'}"
        if miss:
            misses.append({"category": case.category, "question": case.question, "expected": case.expected,
                           "status": answer.status, "got": cited, "why": miss, "kind": kind,
                           "probability": round(result.probability, 3),
                           "features": {k: round(v, 3) for k, v in result.features.items()}})
    report: dict[str, Any] = {
        "fold": fold,
        "questions": len(chosen),
        "by_category": {c: sum(1 for x in chosen if x.category == c) for c in CATEGORIES},
        "retrieval": {m: {s: summarise(r) for s, r in sorted(by.items())} for m, by in ranks.items()},
        "boundary": {name: _share(flags) for name, flags in sorted(outcome.items())},
        "misses": misses,
    }
    if answer_cases:
        report["answers"] = run_answers(assistant, answer_cases, fold)
    report["seconds"] = round(time.perf_counter() - started, 1)
    return report


def run_answers(assistant: Any, cases: list[AnswerCase], fold: str = "test") -> dict[str, Any]:
    """Answer-key accuracy overall, per question type and per topic; each failing reply kept for --misses."""
    chosen = [c for c in cases if fold == "all" or c.fold == fold]
    by_type: dict[str, list[bool]] = defaultdict(list)
    by_topic: dict[str, list[bool]] = defaultdict(list)
    failures = []
    for case in chosen:
        answer = assistant.ask(case.question)
        ok = key_holds(case.key, answer.status, answer.text)
        by_type[case.type].append(ok)
        by_topic[case.guide.split("/")[0]].append(ok)
        if not ok:
            failures.append({"question": case.question, "type": case.type, "guide": case.guide, "key": case.key,
                             "status": answer.status, "reply": answer.text[:KEY_CHARS],
                             "cited": answer.citations[0].source if answer.citations else ""})
    everything = [ok for flags in by_type.values() for ok in flags]
    return {
        "overall": _share(everything),
        "by_type": {t: _share(f) for t, f in sorted(by_type.items())},
        "by_topic": {t: _share(f) for t, f in sorted(by_topic.items())},
        "failures": failures,
    }


def format_report(report: dict[str, Any]) -> str:
    by = ", ".join(f"{c} {n}" for c, n in report["by_category"].items())
    lines = [f"Fold: {report['fold']} — {report['questions']} câu hỏi ({by}), {report['seconds']} s", "",
             f"{'mode':8} {'style':12} {'n':>4} {'hit@1':>6} {'hit@3':>6} {'mrr@10':>7}"]
    for mode, by_style in report["retrieval"].items():
        for style, m in by_style.items():
            lines.append(f"{mode:8} {style:12} {m['n']:>4} {m['hit@1']:>6.3f} {m['hit@3']:>6.3f} {m['mrr@10']:>7.3f}")
    lines += ["", f"{'boundary':36} {'n':>4} {'rate':>6}"]
    for name, m in report["boundary"].items():
        lines.append(f"{name:36} {m['n']:>4} {m['rate']:>6.3f}")
    if "answers" in report:
        a = report["answers"]
        lines += ["", f"answer keys: {a['overall']['rate']:.3f} of {a['overall']['n']}"]
        for group in ("by_type", "by_topic"):
            lines.append("  " + ", ".join(f"{k} {m['rate']:.2f} ({m['n']})" for k, m in a[group].items()))
    return "\n".join(lines)


def write_report(report: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
