"""Generators that yield a growing reply and return the finished one."""

from __future__ import annotations

from collections.abc import Generator
from typing import TypeVar

T = TypeVar("T")


def final(stream: Generator[object, None, T]) -> T:
    """Run `stream` to its end and give what it returns (the partial replies are dropped)."""
    while True:
        try:
            next(stream)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
