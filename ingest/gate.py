"""A refresh that cannot silently make answers worse: ask the new version before it serves.

Before an ingest moves CURRENT, the development questions of the guides it touched (and a
fixed sample of the others, at most LIMIT in all) are searched in the serving version and in
the new one. When hit@3 falls by more than MAX_DROP, or the share of them the answerability
model declines ("not covered") rises by more than MAX_DROP, the old version keeps serving and
the report lists the questions that broke. A guide can keep being found and still stop being
answered: the answerability model reads the corpus's words and the cited section. Questions
about a guide the ingest removed are left out: removing a guide is a decision, not a regression.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from assistant.settings import Settings

LIMIT = 150
MAX_DROP = 0.02


@dataclass
class GateResult:
    questions: int
    before: float  # hit@3 on the serving version
    after: float  # hit@3 on the new version
    broken: list[str] = field(default_factory=list)  # found in the top 3 before, not after
    declined_before: float = 0.0  # share declined as not covered by the serving version
    declined_after: float = 0.0  # ... by the new one
    newly_declined: list[str] = field(default_factory=list)  # answered before, declined after

    @property
    def passed(self) -> bool:
        return self.after >= self.before - MAX_DROP and self.declined_after <= self.declined_before + MAX_DROP

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "passed": self.passed}


class _Case(Protocol):
    """What `pick` reads of an evaluation case (assistant.evaluation.Case)."""

    @property
    def question(self) -> str: ...

    @property
    def expected(self) -> str: ...

    @property
    def category(self) -> str: ...


_C = TypeVar("_C", bound=_Case)


def pick(cases: list[_C], touched: set[str], available: set[str], limit: int = LIMIT) -> list[_C]:
    """The questions of touched guides first, then a fixed sample of the rest (same on every run)."""

    def guides(case: _C) -> list[str]:
        return case.expected.split("|")

    usable = [c for c in cases if c.category == "in_scope" and any(g in available for g in guides(c))]
    first = [c for c in usable if any(g in touched for g in guides(c))]
    rest = sorted((c for c in usable if c not in first),
                  key=lambda c: hashlib.sha256(c.question.encode("utf-8")).hexdigest())
    return (first + rest)[:limit]


class _Fixed:
    """A store handle that always serves one version (the retriever asks its handle for `current()`)."""

    def __init__(self, settings: Settings, version: Any) -> None:
        self.settings, self.version = settings, version

    def current(self) -> Any:
        return self.version

    def reset(self) -> None:
        pass


def check_refresh(settings: Settings, serving: str, candidate: str, touched: set[str],
                  eval_dir: Path) -> GateResult | None:
    """hit@3 before and after on the chosen questions; None when there is nothing to compare."""
    from assistant.embedding import embedding_function, load_encoder
    from assistant.evaluation import guide_rank, load_cases
    from assistant.query import expand
    from assistant.question import read_question
    from assistant.retrieval import Retriever
    from assistant.store import open_version

    if not eval_dir.is_dir():
        return None
    ef = embedding_function(settings.embedding_model)
    encoder = load_encoder(settings.embedding_model)
    old, new = (open_version(settings, v, ef) for v in (serving, candidate))
    available = {c.source.removeprefix("corpus/") for c in new.chunks}
    cases = pick(load_cases(eval_dir), {t.removeprefix("corpus/") for t in touched}, available)
    if not cases:
        return None
    hits: dict[str, list[bool]] = {}
    declined: dict[str, list[bool]] = {}
    for name, version in (("before", old), ("after", new)):
        # _Fixed offers what Retriever uses of a StoreHandle (settings, current, reset)
        retriever = Retriever(_Fixed(settings, version), encoder)  # type: ignore[arg-type]
        hits[name], declined[name] = [], []
        for case in cases:
            found = retriever.search(expand(read_question(case.question).text), k=10)
            rank = guide_rank([p.chunk.source for p in found.passages], case.expected)
            hits[name].append(rank is not None and rank <= 3)
            declined[name].append(not found.covered)
    before, after = (sum(hits[n]) / len(cases) for n in ("before", "after"))
    broken = [c.question for c, b, a in zip(cases, hits["before"], hits["after"]) if b and not a]
    newly = [c.question for c, b, a in zip(cases, declined["before"], declined["after"]) if a and not b]
    return GateResult(len(cases), round(before, 4), round(after, 4), broken,
                      round(sum(declined["before"]) / len(cases), 4), round(sum(declined["after"]) / len(cases), 4),
                      newly)
