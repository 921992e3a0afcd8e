"""One SQLite connection per thread for the small shared stores (conversations, the Zalo channel).

SQLite connections must not cross threads, and each worker process opens its own; WAL lets the
readers of one process go on while another writes. A store that cannot be opened (disk full,
permissions) is a StorageError naming the file.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from assistant.errors import StorageError


class ThreadLocalSQLite:
    def __init__(self, path: Path, schema: list[str], *, timeout: float = 10, autocommit: bool = False) -> None:
        self.path, self.schema, self.timeout, self.autocommit = path, schema, timeout, autocommit
        self._local = threading.local()

    def __call__(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = (sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None) if self.autocommit
                      else sqlite3.connect(self.path, timeout=self.timeout))
                db.execute("PRAGMA journal_mode=WAL")
                for statement in self.schema:
                    db.execute(statement)
            except (OSError, sqlite3.Error) as exc:
                raise StorageError(f"Không mở được {self.path} ({exc}).") from exc
            self._local.db = db
        return db
