"""Find the passages that answer a question: dense (Chroma) + lexical (BM25 on folded text), fused.

Dense search understands accented Vietnamese and English; lexical search over folded tokens
carries questions typed without diacritics. Reciprocal rank fusion merges the two lists, and
a coverage rule decides when the corpus simply does not speak to the question.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assistant.answerability import Answerability, Vocabulary, features, sentence_closeness
from assistant.batching import Batcher
from assistant.errors import StoreUnavailableError
from assistant.models import Chunk, Passage
from assistant.query import lexical_query
from assistant.store import IndexVersion, StoreHandle
from assistant.textnorm import content_terms, detect_language, term_coverage

RRF_K = 60
CANDIDATES = 30
# The steps of a search, as SearchResult.timings names them; "rest" is fusion, evidence and diversity.
STAGES = ("restore", "embed", "dense", "lexical", "similarities", "rest")


class _Laps:
    """Seconds spent in each step of one search."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = dict.fromkeys(STAGES, 0.0)
        self._last = time.perf_counter()

    def __call__(self, step: str) -> None:
        now = time.perf_counter()
        self.spent[step] += now - self._last
        self._last = now


@dataclass
class SearchResult:
    query: str
    passages: list[Passage]
    covered: bool
    version: str = ""
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step (STAGES), for `assistant bench`
    features: dict[str, float] = field(default_factory=dict)  # the answerability evidence, for --misses
    probability: float = 0.0  # the answerability model's belief that passages[0] answers the question
    vector: np.ndarray | None = None  # the question's embedding, reused by the intent check
    pinned: bool = False  # passages[0] was put first on purpose (`prefer_topic`): the answer keeps it first


def rrf(rankings: list[list[int]], weights: list[float] | None = None, k: int = RRF_K) -> dict[int, float]:
    """Weighted reciprocal rank fusion of several rankings of item indices (best first)."""
    fused: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings)):
        for rank, item in enumerate(ranking):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank + 1)
    return fused


# The guides are Vietnamese: an English question is looked up in the word index by the Vietnamese
# terms of its domain words (assistant.query.ENGLISH_TERMS). That list is thinner than a Vietnamese
# question's, so it counts half (train fold, English questions: hit@3 0.837 → 0.878 at 0.3 to 1.0).
LEXICAL_WEIGHT = {"vi": 1.0, "en": 0.5}


class Retriever:
    def __init__(self, store: StoreHandle, encoder: Any, answerability: Answerability | None = None) -> None:
        self.store = store
        self.encoder = encoder
        self.answerability = answerability or Answerability.load(model=store.settings.embedding_model)
        self._vocabulary: tuple[str, Vocabulary] | None = None
        self._queries = Batcher(lambda texts: encoder.encode_query(texts, normalize_embeddings=True))

    def vocabulary(self, version: IndexVersion) -> Vocabulary:
        if self._vocabulary is None or self._vocabulary[0] != version.id:
            self._vocabulary = (version.id, Vocabulary.of(version.chunks))
        return self._vocabulary[1]

    def embed(self, query: str) -> np.ndarray:
        return self._queries(query)

    def dense_ranking(self, version: IndexVersion, vector: np.ndarray, n: int) -> tuple[list[int], dict[int, float]]:
        n = min(n, len(version.chunks))
        hits = version.collection.query(query_embeddings=[vector.tolist()], n_results=n, include=["distances"])
        index = version.by_id
        ranking, sims = [], {}
        for cid, distance in zip(hits["ids"][0], hits["distances"][0]):
            if cid in index:
                i = index[cid]
                ranking.append(i)
                sims[i] = 1.0 - float(distance)
        return ranking, sims

    def lexical_ranking(self, version: IndexVersion, query: str, n: int) -> tuple[list[int], np.ndarray]:
        scores = version.lexical.scores(query)
        if not len(scores):
            return [], scores
        n = min(n, len(scores))
        top = np.argpartition(-scores, n - 1)[:n]  # no full sort of every passage's score
        top = top[np.argsort(-scores[top])]
        return [int(i) for i in top if scores[i] > 0], scores

    def search(self, query: str, k: int = 5, mode: str = "hybrid", kind: str = "other",
               prefer_topic: Callable[[np.ndarray], str | None] | None = None,
               sentences: Callable[[Chunk], np.ndarray | None] | None = None) -> SearchResult:
        """The best passages for `query`; `kind` is what the question asks for (see assistant.question),
        `prefer_topic` names, from the question's vector, a topic whose best passage goes first (scam
        situations go to the safety guides) or none,
        `sentences` the sentence vectors of a section (the composer's), for the answerability evidence."""
        lap = _Laps()
        version = self.store.current()
        if not version.chunks or not query.strip():
            return SearchResult(query, [], False, version.id)
        lang = detect_language(query)
        if lang == "vi":
            query = version.restorer.restore(query)
        lap("restore")
        vector = self.embed(query)
        lap("embed")
        try:
            dense_rank, sims = self.dense_ranking(version, vector, CANDIDATES)
        except Exception as exc:  # the vector store went away: say so, reconnect next time
            self.store.reset()
            raise StoreUnavailableError(
                f"Kho dữ liệu tạm thời không trả lời ({exc.__class__.__name__}). Hãy thử lại sau ít phút."
            ) from exc
        lap("dense")
        words = lexical_query(query, lang)  # an English question is looked up by its Vietnamese terms
        lex_rank, lex_scores = self.lexical_ranking(version, words, CANDIDATES)
        lap("lexical")
        rankings, weights = {
            "dense": ([dense_rank], [1.0]),
            "lexical": ([lex_rank], [1.0]),
            "hybrid": ([dense_rank, lex_rank], [1.0, LEXICAL_WEIGHT[lang]]),
        }[mode]
        fused = rrf(rankings, weights)
        order = sorted(fused, key=lambda i: -fused[i])
        preferred = None
        topic = prefer_topic(vector) if prefer_topic is not None else None
        if topic is not None:
            preferred = next((i for i in order if version.chunks[i].topic == topic), None)
            if preferred is not None:
                order.remove(preferred)
                order.insert(0, preferred)
        order = order[: max(k, 1) * 3]
        terms = content_terms(words)
        missing = [i for i in order if i not in sims]
        lap("rest")
        if missing:
            sims.update(self._similarities(version, vector, missing))
        lap("similarities")
        passages = [
            Passage(
                chunk=version.chunks[i],
                score=fused[i],
                dense=sims.get(i, 0.0),
                lexical=float(lex_scores[i]) if len(lex_scores) else 0.0,
                coverage=term_coverage(terms, version.chunks[i].embed_text, version.idf),
            )
            for i in order
        ]
        closest = sentence_closeness(passages, vector, sentences) if sentences is not None else None
        evidence = features(query, lang, kind, passages, version.idf, version.term_df, self.vocabulary(version), words,
                            closest)
        probability = self.answerability.probability(evidence, vector)
        covered = probability >= self.answerability.threshold
        passages = diversify(passages, k)
        lap("rest")
        return SearchResult(query, passages, covered, version.id, timings=lap.spent, features=evidence,
                            probability=probability, vector=vector, pinned=preferred is not None)

    def _similarities(self, version: IndexVersion, vector: np.ndarray, indices: list[int]) -> dict[int, float]:
        """Cosine similarity for lexical hits the dense list did not reach."""
        got = version.collection.get(ids=[version.chunks[i].id for i in indices], include=["embeddings"])
        vectors = dict(zip(got["ids"], got["embeddings"]))
        return {i: float(np.dot(vectors[version.chunks[i].id], vector)) for i in indices if version.chunks[i].id in vectors}


def diversify(passages: list[Passage], k: int, per_guide: int = 2) -> list[Passage]:
    """At most `per_guide` passages of one guide in the top three, unless nothing else is relevant."""
    head: list[Passage] = []
    rest: list[Passage] = []
    counts: dict[str, int] = {}
    for p in passages:
        source = p.chunk.source
        if len(head) < 3 and counts.get(source, 0) >= per_guide:
            rest.append(p)
            continue
        counts[source] = counts.get(source, 0) + 1
        head.append(p)
    return (head + rest)[:k]
