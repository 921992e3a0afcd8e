"""Staff password: PBKDF2 hashes, and a guard that slows and then locks out repeated failures."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time

ITERATIONS = 240_000


def hash_password(password: str, salt: str | None = None, iterations: int = ITERATIONS) -> str:
    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations).hex()
    return f"pbkdf2_sha256${iterations}${salt}${digest}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, iterations, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "pbkdf2_sha256":
        return False
    candidate = hash_password(password, salt, int(iterations)).split("$")[-1]
    return hmac.compare_digest(candidate, digest)


class LoginGuard:
    """After `limit` failures within `window` seconds, refuse every attempt for `lockout` seconds."""

    def __init__(self, limit: int = 5, window: float = 600, lockout: float = 300, delay: float = 1.0) -> None:
        self.limit, self.window, self.lockout, self.delay = limit, window, lockout, delay
        self._failures: list[float] = []
        self._locked_until = 0.0
        self._lock = threading.Lock()

    def locked(self) -> bool:
        return time.monotonic() < self._locked_until

    def check(self, ok: bool) -> bool:
        now = time.monotonic()
        with self._lock:
            if now < self._locked_until:
                return False
            if ok:
                self._failures.clear()
                return True
            self._failures = [t for t in self._failures if now - t < self.window] + [now]
            if len(self._failures) >= self.limit:
                self._locked_until = now + self.lockout
                self._failures.clear()
        time.sleep(self.delay)  # slows guessing even before the lockout
        return False
