"""Conversations of the API and the chat channels, kept server-side so follow-ups work.

A conversation is the last few exchanges under an id nobody can guess. They live in SQLite in
the data folder, so every worker process of `assistant serve-api` sees the same conversations;
they expire after `conversation_ttl` seconds and at most `conversation_max` are kept (the least
recently used go first). Only redacted text is stored: an Exchange holds the question as searched.

Expired and surplus rows are deleted every `prune_every` saves of a process, not on every save:
finding the surplus walks the whole index (10,000 rows by default), which was 7 % of an API
worker's CPU under load. Between two prunes a process adds at most `prune_every` rows, and an
expired conversation is never read back whether or not its row is gone yet.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.conversation import Exchange
from assistant.models import Answer, Citation
from assistant.sqlite_local import ThreadLocalSQLite

TURNS_KEPT = 4  # follow-ups look back one or two turns; four is plenty
_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-")


def new_id() -> str:
    return secrets.token_hex(16)


def valid_id(value: str) -> bool:
    return 8 <= len(value) <= 64 and set(value.lower()) <= _ID_CHARS


def _to_record(exchange: Exchange) -> dict[str, object]:
    answer = dataclasses.asdict(exchange.answer)
    answer["question"] = exchange.question  # never the unredacted wording echoed to the asker
    return {"question": exchange.question, "answer": answer}


def _from_record(record: dict[str, Any]) -> Exchange:
    data = dict(record["answer"])
    for field in ("citations", "suggestions"):  # records saved before suggestions existed have none
        data[field] = [Citation(**c) for c in data.get(field, [])]
    return Exchange(str(record["question"]), Answer(**data))


class ConversationStore:
    def __init__(self, path: Path, ttl: float = 1800, max_conversations: int = 10_000,
                 clock: Callable[[], float] = time.time, prune_every: int = 100) -> None:
        self.path, self.ttl, self.max_conversations = path, ttl, max_conversations
        self.clock = clock
        self.prune_every = prune_every
        self._saves = 0
        self._lock = threading.Lock()
        self._db = ThreadLocalSQLite(path, [
            "CREATE TABLE IF NOT EXISTS conversations (id TEXT PRIMARY KEY, updated REAL NOT NULL, turns TEXT NOT NULL)",
            "CREATE INDEX IF NOT EXISTS conversations_updated ON conversations(updated)",
        ])

    def _now(self) -> float:
        return float(self.clock())

    def history(self, conversation_id: str) -> list[Exchange] | None:
        """The turns so far, or None when the id is unknown or expired."""
        row = self._db().execute("SELECT updated, turns FROM conversations WHERE id = ?",
                                 (conversation_id,)).fetchone()
        if row is None or self._now() - row[0] > self.ttl:
            return None
        return [_from_record(r) for r in json.loads(row[1])]

    def save(self, conversation_id: str, history: list[Exchange]) -> None:
        turns = json.dumps([_to_record(e) for e in history[-TURNS_KEPT:]], ensure_ascii=False)
        now = self._now()
        db = self._db()
        with self._lock, db:
            db.execute("INSERT INTO conversations(id, updated, turns) VALUES (?, ?, ?) "
                       "ON CONFLICT(id) DO UPDATE SET updated = excluded.updated, turns = excluded.turns",
                       (conversation_id, now, turns))
            self._saves += 1
            if (self._saves - 1) % self.prune_every == 0:  # the first save of a process, then every prune_every
                db.execute("DELETE FROM conversations WHERE updated < ?", (now - self.ttl,))
                db.execute("DELETE FROM conversations WHERE id IN (SELECT id FROM conversations "
                           "ORDER BY updated DESC LIMIT -1 OFFSET ?)", (self.max_conversations,))

    def count(self) -> int:
        return int(self._db().execute("SELECT COUNT(*) FROM conversations").fetchone()[0])
