"""Guides due for a new check (`assistant corpus status`, admin tab "Cần rà soát"), most cited first."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import cli
from assistant.freshness import citations, is_stale, review_status
from assistant.settings import Settings
from ingest.conventions import REVIEW_EVERY, review_period

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.timezone.utc)
TODAY = NOW.date()


def days_ago(n: int) -> str:
    return (TODAY - dt.timedelta(days=n)).isoformat()


def write_guide(corpus: Path, rel: str, checked: str, extra: str = "") -> None:
    path = corpus / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    title = f"Hướng dẫn {path.stem}"
    path.write_text(
        f"---\ntitle: {title}\ntopic: {path.parent.name}\nsource_url: https://vneid.gov.vn/{path.stem}\n"
        f"source_name: Bộ Công an\nchecked: {checked}\n{extra}---\n# {title}\n\nNội dung hướng dẫn.\n",
        encoding="utf-8",
    )


def write_log(data_dir: Path, entries: list[tuple[dt.datetime, list[str]]]) -> None:
    path = Settings(data_dir=data_dir).question_log_path
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps({"time": when.isoformat(timespec="seconds"), "question": "…", "status": "answered",
                         "sources": sources, "ms": 12.0}, ensure_ascii=False) for when, sources in entries]
    path.write_text("\n".join(lines) + "\n{torn line\n", encoding="utf-8")


@pytest.fixture
def settings(tmp_path: Path, data_dir: Path) -> Settings:
    corpus = tmp_path / "corpus"
    write_guide(corpus, "vneid/it-trich.md", days_ago(200))  # vneid: 180 days, 20 overdue
    write_guide(corpus, "vneid/hay-trich.md", days_ago(181))  # 1 day overdue
    write_guide(corpus, "vneid/moi-kiem-tra.md", days_ago(10))  # fresh, however often cited
    write_guide(corpus, "an-toan/lua-dao.md", days_ago(100))  # an-toan: 90 days, 10 overdue
    write_guide(corpus, "phong-trao/dai-su-so.md", days_ago(300))  # phong-trao: 365 days, fresh
    write_guide(corpus, "phong-trao/cho-so.md", days_ago(40), "review_every: 30\n")  # its own period: overdue
    recent, old = NOW - dt.timedelta(days=2), NOW - dt.timedelta(days=45)
    write_log(data_dir, [
        (recent, ["corpus/vneid/hay-trich.md", "corpus/vneid/hay-trich.md"]),  # one answer citing it twice
        (recent, ["corpus/vneid/hay-trich.md", "corpus/an-toan/lua-dao.md"]),
        (recent, ["corpus/vneid/hay-trich.md"]),
        (recent, ["corpus/an-toan/lua-dao.md"]),
        *[(recent, ["corpus/vneid/moi-kiem-tra.md"])] * 5,
        (old, ["corpus/vneid/it-trich.md"]),  # older than 30 days: not counted
        (old, ["corpus/vneid/it-trich.md"]),
        (old, ["corpus/vneid/it-trich.md"]),
    ])
    return Settings(corpus_dir=corpus, data_dir=data_dir)


def test_is_stale_once_the_review_period_has_passed():
    assert not is_stale("2026-01-01", 90, dt.date(2026, 4, 1))  # checked + 90 days is today: still fine
    assert is_stale("2026-01-01", 90, dt.date(2026, 4, 2))
    assert not is_stale("2026-01-01", 365, dt.date(2026, 4, 2))


def test_review_period_defaults_per_topic_unless_the_guide_sets_one():
    assert REVIEW_EVERY == {"an-toan": 90, "thanh-toan": 90, "vneid": 180, "dichvucong": 180, "phong-trao": 365}
    assert [review_period({"topic": t}) for t in ("an-toan", "thanh-toan", "vneid", "dichvucong", "phong-trao")] \
        == [90, 90, 180, 180, 365]
    assert review_period({"topic": "phong-trao", "review_every": 30}) == 30
    assert review_period({"topic": "vneid", "review_every": "ba tháng"}) == 180  # invalid: `corpus check` reports it


def test_overdue_guides_are_listed_most_cited_first_and_fresh_ones_are_not(settings):
    reviews, errors = review_status(settings, now=NOW)
    assert errors == {}
    assert [(r.guide, r.citations, r.due_since, r.review_every) for r in reviews] == [
        ("corpus/vneid/hay-trich.md", 3, 1, 180),  # cited twice in one answer: counted once
        ("corpus/an-toan/lua-dao.md", 2, 10, 90),
        ("corpus/vneid/it-trich.md", 0, 20, 180),  # its citations are older than 30 days; ties: longest overdue
        ("corpus/phong-trao/cho-so.md", 0, 10, 30),  # its own review_every, not phong-trao's 365
    ]
    assert reviews[0].title == "Hướng dẫn hay-trich" and reviews[0].checked == days_ago(181)


def test_all_lists_fresh_guides_too_with_the_days_left(settings):
    reviews, _ = review_status(settings, include_all=True, now=NOW)
    by_guide = {r.guide: r for r in reviews}
    assert len(reviews) == 6 and reviews[0].guide == "corpus/vneid/moi-kiem-tra.md"  # 5 answers cited it
    assert not reviews[0].due and reviews[0].due_since == -170
    assert not by_guide["corpus/phong-trao/dai-su-so.md"].due  # 300 days old, but phong-trao waits 365


def test_citations_count_answers_in_the_window_only():
    entries = [
        {"time": "2026-05-31T08:00:00+00:00", "sources": ["a", "a", "b"]},
        {"time": "2026-05-02T12:00:00+00:00", "sources": ["a"]},  # exactly 30 days before NOW
        {"time": "2026-05-01T12:00:00+00:00", "sources": ["b"]},  # 31 days
        {"time": "2026-05-20T12:00:00", "sources": ["b"]},  # no zone: read as UTC
        {"time": "không phải ngày", "sources": ["b"]},
        {"sources": ["b"]},
    ]
    assert citations(entries, NOW) == {"a": 2, "b": 2}


def test_status_command_prints_the_list_and_json(tmp_path, data_dir, monkeypatch):
    today = dt.date.today()
    corpus = tmp_path / "corpus"
    write_guide(corpus, "an-toan/lua-dao.md", (today - dt.timedelta(days=120)).isoformat())
    write_guide(corpus, "an-toan/moi.md", today.isoformat())
    write_log(data_dir, [(dt.datetime.now(dt.timezone.utc), ["corpus/an-toan/lua-dao.md"])])
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(corpus))

    result = CliRunner().invoke(cli, ["corpus", "status"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["hướng", "dẫn", "kiểm", "tra", "chu", "kỳ", "quá", "hạn", "trích", "30", "ngày",
                                "tiêu", "đề"]
    assert lines[1].split() == ["corpus/an-toan/lua-dao.md", (today - dt.timedelta(days=120)).isoformat(), "90", "30",
                                "1", "Hướng", "dẫn", "lua-dao"]
    assert lines[2] == "1 hướng dẫn cần rà soát (chu kỳ và quá hạn tính bằng ngày)."

    report = json.loads(CliRunner().invoke(cli, ["corpus", "status", "--all", "--json"]).output)
    assert report["due"] == 1 and report["errors"] == {}
    assert [(g["guide"], g["due"], g["citations"]) for g in report["guides"]] == [
        ("corpus/an-toan/lua-dao.md", True, 1), ("corpus/an-toan/moi.md", False, 0)]


def test_admin_tab_shows_the_same_list(settings):
    from assistant.ui.admin import REVIEW_HEADERS, review_rows

    rows = review_rows(review_status(settings, include_all=True, now=NOW)[0])
    assert len(REVIEW_HEADERS) == len(rows[0]) == 6
    assert rows[0] == ["corpus/vneid/moi-kiem-tra.md", "Hướng dẫn moi-kiem-tra", days_ago(10), 180, "còn 170", 5]
    assert rows[1] == ["corpus/vneid/hay-trich.md", "Hướng dẫn hay-trich", days_ago(181), 180, "1", 3]
