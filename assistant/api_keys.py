"""API keys for /api/v1: made by `assistant api-key create`, stored only as SHA-256 hashes.

A key is 32 random bytes, so a plain SHA-256 is enough (no salt or slow hash needed: nobody
can guess it from a dictionary). The file is small JSON in the data folder, re-read when it
changes, so a key revoked on the command line stops working in a running server at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from assistant.errors import ConfigurationError, StorageError

PREFIX = "tls_"


@dataclass
class ApiKey:
    id: str  # short public handle, shown in lists and logs
    name: str
    hash: str
    created: str
    rate: str = ""  # its own rate limit (e.g. "600/minute"); empty: the server's default
    revoked: str = ""


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiKeys:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._cache: tuple[float, list[ApiKey]] | None = None

    def all(self) -> list[ApiKey]:
        try:
            mtime = self.path.stat().st_mtime
        except FileNotFoundError:
            return []
        with self._lock:
            if self._cache is None or self._cache[0] != mtime:
                try:
                    rows = json.loads(self.path.read_text(encoding="utf-8"))
                    self._cache = (mtime, [ApiKey(**row) for row in rows])
                except (OSError, ValueError, TypeError) as exc:
                    raise ConfigurationError(f"Tệp khóa API {self.path} hỏng ({exc}); hãy tạo lại khóa.") from exc
            return list(self._cache[1])

    def _write(self, keys: list[ApiKey]) -> None:
        tmp = self.path.with_suffix(".tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump([asdict(k) for k in keys], fh, ensure_ascii=False, indent=1)
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except OSError as exc:
            raise StorageError(f"Không ghi được {self.path} ({exc}).") from exc

    def create(self, name: str, rate: str = "") -> tuple[ApiKey, str]:
        """A new key; the secret is returned once and never stored."""
        secret = PREFIX + secrets.token_urlsafe(32)
        key = ApiKey(id=secrets.token_hex(4), name=name.strip() or "không tên", hash=_digest(secret),
                     created=dt.datetime.now().isoformat(timespec="seconds"), rate=rate.strip())
        self._write(self.all() + [key])
        return key, secret

    def revoke(self, key_id: str) -> bool:
        keys = self.all()
        found = False
        for key in keys:
            if key.id == key_id and not key.revoked:
                key.revoked = dt.datetime.now().isoformat(timespec="seconds")
                found = True
        if found:
            self._write(keys)
        return found

    def find(self, secret: str) -> ApiKey | None:
        """The live key with this secret, if any (compared in constant time)."""
        digest = _digest(secret)
        match = None
        for key in self.all():
            if hmac.compare_digest(key.hash, digest) and not key.revoked:
                match = key
        return match
