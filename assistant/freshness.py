"""Which guides are due for a new check, most cited first, so staff re-check what residents read.

A guide is due when `checked + review_every < today`; `review_every` comes from its front matter or
its topic's default (`ingest.conventions.REVIEW_EVERY`). The ranking counts the answers of the last
30 days that cited the guide, read from the question log. The core is plain functions over plain
data; `guides_in` and `review_status` at the bottom do the reading.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from assistant.settings import Settings
from ingest.conventions import review_period

WINDOW_DAYS = 30


@dataclass(frozen=True)
class GuideInfo:
    guide: str  # source name, as cited in answers: "corpus/vneid/quen-mat-khau.md"
    title: str
    checked: str  # YYYY-MM-DD
    review_every: int  # days


@dataclass(frozen=True)
class Review:
    guide: str
    title: str
    checked: str
    review_every: int
    due_since: int  # days since the guide fell due; zero or less: not due yet (-5 = due in 5 days)
    citations: int  # answers citing it in the last WINDOW_DAYS days

    @property
    def due(self) -> bool:
        return self.due_since > 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self) | {"due": self.due}


def due_date(checked: str, review_every: int) -> dt.date:
    return dt.date.fromisoformat(checked) + dt.timedelta(days=review_every)


def is_stale(checked: str, review_every: int, today: dt.date) -> bool:
    """True when the guide was checked longer ago than its review period allows."""
    return due_date(checked, review_every) < today


def guide_info(source: str, meta: dict[str, Any]) -> GuideInfo:
    """From a loaded guide's metadata (the loader has already made `checked` an ISO date)."""
    return GuideInfo(source, str(meta.get("title", "")), str(meta["checked"]), review_period(meta))


def _time(entry: dict[str, Any]) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(str(entry["time"]))
    except (KeyError, ValueError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


def citations(entries: Iterable[dict[str, Any]], now: dt.datetime, days: int = WINDOW_DAYS) -> Counter[str]:
    """How many answers since `now - days` cited each guide (a guide cited twice in one answer counts once)."""
    since = now - dt.timedelta(days=days)
    counts: Counter[str] = Counter()
    for entry in entries:
        when = _time(entry)
        sources = entry.get("sources")
        if when is not None and since <= when <= now and isinstance(sources, list):
            counts.update({s for s in sources if isinstance(s, str)})
    return counts


def review_list(guides: Iterable[GuideInfo], counts: Counter[str], today: dt.date,
                include_all: bool = False) -> list[Review]:
    """Guides due for review (or all of them), most cited first, then longest overdue, then by name."""
    reviews = [
        Review(g.guide, g.title, g.checked, g.review_every, (today - due_date(g.checked, g.review_every)).days,
               counts.get(g.guide, 0))
        for g in guides
    ]
    chosen = [r for r in reviews if include_all or r.due]
    return sorted(chosen, key=lambda r: (-r.citations, -r.due_since, r.guide))


# --- Edges: the corpus and the question log -------------------------------------------------


def guides_in(corpus_dir: Path) -> tuple[list[GuideInfo], dict[str, str]]:
    """Every guide the loader accepts, and the reason for each it rejects."""
    from assistant.errors import CorpusError
    from ingest.loaders import load
    from ingest.sync import scan

    guides, errors = [], {}
    for source, path in scan(corpus_dir).items():
        try:
            guides.append(guide_info(source, load(path, source).meta))
        except CorpusError as exc:
            errors[source] = str(exc)
    return guides, errors


def review_status(settings: Settings, include_all: bool = False,
                  now: dt.datetime | None = None) -> tuple[list[Review], dict[str, str]]:
    """The review list for the configured corpus and question log; the CLI and the admin page share it."""
    from assistant.gaps import read_log

    now = now or dt.datetime.now(dt.timezone.utc)
    guides, errors = guides_in(settings.corpus_dir)
    counts = citations(read_log(settings.question_log_path, limit=1_000_000), now)
    return review_list(guides, counts, now.astimezone().date(), include_all), errors  # today where the server is
