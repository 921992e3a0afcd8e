"""How many questions one caller may ask: a moving window per address or per API key (`limits`)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse, storage, strategies

from assistant.errors import ConfigurationError


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # whole seconds until the next question is allowed


def parse_rate(text: str) -> RateLimitItem | None:
    """`60/minute`, `1000/hour`…; `0` or empty means no limit."""
    text = text.strip()
    if text in ("", "0"):
        return None
    try:
        return parse(text)
    except ValueError as exc:
        raise ConfigurationError(f"Giới hạn tần suất '{text}' không hợp lệ (ví dụ đúng: 60/minute).") from exc


class RateLimiter:
    def __init__(self, default: str, storage_uri: str = "memory://") -> None:
        self.default = parse_rate(default)
        try:
            self._limiter = strategies.MovingWindowRateLimiter(storage.storage_from_string(storage_uri))
        except Exception as exc:  # unknown scheme, missing driver
            raise ConfigurationError(f"Không dùng được nơi lưu bộ đếm '{storage_uri}' ({exc}).") from exc

    def hit(self, caller: str, rate: str = "") -> Verdict:
        item = parse_rate(rate) if rate else self.default
        if item is None:
            return Verdict(True)
        if self._limiter.hit(item, caller):
            return Verdict(True)
        reset = self._limiter.get_window_stats(item, caller).reset_time
        return Verdict(False, max(1, math.ceil(reset - time.time())))
