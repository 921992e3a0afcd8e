"""The reply as it grows: its lines, the passages it cites (numbered in order) and every sentence said.

One job: a reply never says a sentence twice. Units are compared on folded letters and digits,
and a long sentence already said also swallows the shorter ones it contains.
"""

from __future__ import annotations

import re

from assistant.guide_format import LIST_MARK
from assistant.models import Chunk
from assistant.textnorm import fold

# How a reply cites its passages: "[n]" after what a passage supports. A generative backend may
# group them ("[1, 2]") or give a range ("[1–3]"). Whatever reads a reply (the page, Zalo, speech,
# the generative verifier) finds the marks with MARK.
MARK = re.compile(r"\[\s*(\d{1,3}(?:\s*[,;–-]\s*\d{1,3})*)\s*\]")
_MARK_AFTER_SPACE = re.compile(r"[ \t]*" + MARK.pattern)
_LONGEST_RANGE = 20


def mark_numbers(text: str) -> list[int]:
    """The passage numbers `text` cites, in order: "a [1, 2] b [3–5]" → [1, 2, 3, 4, 5]."""
    numbers: list[int] = []
    for m in MARK.finditer(text):
        for part in re.split(r"\s*[,;]\s*", m.group(1)):
            ends = [int(x) for x in re.split(r"\s*[–-]\s*", part)]
            if len(ends) == 2 and ends[0] <= ends[1] <= ends[0] + _LONGEST_RANGE:
                numbers.extend(range(ends[0], ends[1] + 1))
            else:
                numbers.extend(ends)
    return numbers


def without_marks(text: str) -> str:
    """`text` with its citation marks (and the space before them) removed; lines stay lines."""
    return _MARK_AFTER_SPACE.sub("", text)


def _key(sentence: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", fold(sentence)).strip()


class Reply:
    """The reply as it grows: lines, the chunks cited (numbered in order) and every sentence said."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.cited: list[Chunk] = []
        self.said: set[str] = set()

    @property
    def sources(self) -> set[str]:
        return {c.source for c in self.cited}

    def cite(self, chunk: Chunk) -> int:
        for i, c in enumerate(self.cited, 1):
            if c.id == chunk.id:
                return i
        self.cited.append(chunk)
        return len(self.cited)

    def fresh(self, units: list[str], limit: int) -> list[str]:
        """The units not said yet, whole, while they fit in `limit` characters; marks them said."""
        kept: list[str] = []
        size = 0
        for unit in units:
            key = _key(unit)
            if not key or key in self.said or any(key in s or s in key for s in self.said if len(s) > 40):
                continue
            if kept and size + len(unit) > limit:
                break
            kept.append(unit)
            size += len(unit)
            self.said.add(key)
        return kept

    def sentence(self, sentence: str, n: int) -> None:
        if self.fresh([sentence], 10_000):
            self.lines.append(f"{sentence} [{n}]")

    def line(self, text: str) -> None:
        self.lines.append(text)

    def block(self, lines: list[str]) -> None:
        if self.lines:
            self.lines.append("")
        self.lines += lines
        for line in lines:
            self.said.add(_key(LIST_MARK.sub("", line)))

    def mentions(self, pattern: re.Pattern[str]) -> bool:
        return any(pattern.search(fold(line)) for line in self.lines)

    def text(self) -> str:
        return "\n".join(self.lines).strip()

