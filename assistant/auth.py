"""Staff password: PBKDF2 hashes, and a guard that slows and then locks out repeated failures."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

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
    """Failed logins counted per address, so a stranger cannot lock staff out from elsewhere.

    `limit` failures from one address within `window` seconds lock that address for `lockout`
    seconds; `global_limit` failures from all addresses together (a spread-out attack) lock
    everyone. Times are wall-clock seconds, so a lock can be shown as "until HH:MM".
    """

    def __init__(self, limit: int = 5, global_limit: int = 50, window: float = 600, lockout: float = 900,
                 delay: float = 1.0, clock: Callable[[], float] = time.time) -> None:
        self.limit, self.global_limit, self.window, self.lockout, self.delay = limit, global_limit, window, lockout, delay
        self.clock = clock
        self._failures: dict[str, list[float]] = {}
        self._locked: dict[str, float] = {}  # address (or "*" for everyone) → locked until
        self._lock = threading.Lock()

    def locked_until(self, address: str) -> float | None:
        now = self.clock()
        with self._lock:
            until = max(self._locked.get(address, 0.0), self._locked.get("*", 0.0))
        return until if until > now else None

    def failed(self, address: str) -> float | None:
        """Count one failure; returns the end of the lockout it starts, if it starts one."""
        now = self.clock()
        with self._lock:
            for key in (address, "*"):
                recent = [t for t in self._failures.get(key, []) if now - t < self.window] + [now]
                if len(recent) >= (self.limit if key == address else self.global_limit):
                    self._locked[key] = now + self.lockout
                    recent = []
                    log.warning("staff login locked for %s until %s", "everyone" if key == "*" else address,
                                time.strftime("%H:%M", time.localtime(now + self.lockout)))
                self._failures[key] = recent
            if len(self._failures) > 10_000:  # bounded memory under a scan from many addresses
                self._failures = {k: v for k, v in self._failures.items() if v and now - v[-1] < self.window}
        return self.locked_until(address)

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._failures.pop(address, None)
