"""BM25 over folded Vietnamese tokens (bm25s), built at ingest time and loaded per version."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from assistant.textnorm import lexical_tokens


class LexicalIndex:
    def __init__(self, retriever: Any, size: int) -> None:  # a bm25s.BM25 (untyped)
        self._bm25 = retriever
        self.size = size

    @classmethod
    def build(cls, texts: list[str]) -> "LexicalIndex":
        import bm25s

        retriever = bm25s.BM25()
        corpus = [lexical_tokens(t) or ["_empty_"] for t in texts]
        if corpus:
            retriever.index(corpus, show_progress=False)
        return cls(retriever, len(texts))

    def save(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self._bm25.save(str(path))

    @classmethod
    def load(cls, path: Path, size: int) -> "LexicalIndex":
        import bm25s

        retriever = bm25s.BM25.load(str(path))
        return cls(retriever, size)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage, in the order the index was built."""
        tokens = lexical_tokens(query)
        if not tokens or self.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(tokens), dtype=np.float32)
