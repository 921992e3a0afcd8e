"""Feedback from residents (👍/👎 and a comment), in SQLite in the data folder; text is redacted first."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from assistant.safety import redact

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    status TEXT NOT NULL,
    sources TEXT NOT NULL,
    rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    comment TEXT NOT NULL DEFAULT ''
)
"""


@dataclass
class Feedback:
    time: str
    question: str
    answer: str
    status: str
    sources: list[str]
    rating: int
    comment: str


class FeedbackStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=10)
        conn.execute(SCHEMA)
        return conn

    def add(self, question: str, answer: str, status: str, sources: list[str], rating: int, comment: str = "") -> None:
        if rating not in (-1, 1):
            raise ValueError("rating must be 1 or -1")
        row = (
            dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            redact(question)[:2000],
            redact(answer)[:5000],
            status,
            json.dumps(sources, ensure_ascii=False),
            rating,
            redact(comment)[:1000],
        )
        with self._lock, self._connect() as conn:
            conn.execute(
                "INSERT INTO feedback (time, question, answer, status, sources, rating, comment) VALUES (?,?,?,?,?,?,?)",
                row,
            )

    def all(self, limit: int = 500) -> list[Feedback]:
        if not self.path.exists():
            return []
        with self._lock, self._connect() as conn:
            rows = conn.execute(
                "SELECT time, question, answer, status, sources, rating, comment FROM feedback ORDER BY id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [Feedback(t, q, a, s, json.loads(src), r, c) for t, q, a, s, src, r, c in rows]
