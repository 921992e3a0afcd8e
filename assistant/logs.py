"""Structured question log (JSON lines) in the data folder; callers pass text already redacted."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

from assistant.models import Answer
from assistant.safety import redact


class QuestionLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def record(self, question: str, answer: Answer, seconds: float) -> None:
        entry = {
            "time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "question": redact(question),
            "status": answer.status,
            "sources": [c.source for c in answer.citations],
            "ms": round(seconds * 1000, 1),
        }
        if answer.unsure:
            entry["unsure"] = True  # answered with a word of doubt: staff see it among the gaps
        try:
            with self._lock:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with open(self.path, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
        except OSError:
            pass  # a full or read-only disk must not stop answers
