"""Put Vietnamese diacritics back on a question typed without them, from the corpus's own words.

The embedding model ranks accented questions well but drifts on "quen mat khau". The corpus
knows how each folded syllable is spelled in context, so a bigram model of its accented
syllables picks, by Viterbi, the most likely spelling of the whole question ("lam the nao"
→ "làm thế nào", "dang nhap" → "đăng nhập"). Syllables typed with marks, or never seen in
the corpus, stay exactly as typed.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from assistant.textnorm import fold, nfc

_SYLLABLE = re.compile(r"[0-9a-zà-ỹđ]+", re.IGNORECASE)
_BREAK = re.compile(r"[.,;:!?()\"“”\n]+")
BIGRAM_WEIGHT = 0.85  # interpolation of bigram and unigram probabilities


@dataclass
class Restorer:
    unigrams: dict[str, int] = field(default_factory=dict)  # accented syllable → count
    bigrams: dict[str, int] = field(default_factory=dict)  # "prev next" (accented) → count
    candidates: dict[str, list[str]] = field(default_factory=dict)  # folded syllable → accented forms

    @classmethod
    def build(cls, texts: list[str]) -> "Restorer":
        uni: Counter[str] = Counter()
        bi: Counter[str] = Counter()
        for text in texts:
            for sentence in _BREAK.split(nfc(text).lower()):
                sylls = _SYLLABLE.findall(sentence)
                uni.update(sylls)
                bi.update(f"{a} {b}" for a, b in zip(sylls, sylls[1:]))
        forms: dict[str, list[str]] = {}
        for syllable in uni:
            forms.setdefault(fold(syllable), []).append(syllable)
        return cls(dict(uni), dict(bi), forms)

    def to_json(self) -> dict[str, object]:
        return {"unigrams": self.unigrams, "bigrams": self.bigrams}

    @classmethod
    def from_json(cls, data: dict[str, dict[str, int]]) -> "Restorer":
        forms: dict[str, list[str]] = {}
        for syllable in data["unigrams"]:
            forms.setdefault(fold(syllable), []).append(syllable)
        return cls(data["unigrams"], data["bigrams"], forms)

    def _logp(self, prev: str | None, word: str, total: int) -> float:
        p_uni = (self.unigrams.get(word, 0) + 0.1) / (total + 1)
        if prev is None or prev not in self.unigrams:
            return math.log(p_uni)
        p_bi = self.bigrams.get(f"{prev} {word}", 0) / self.unigrams[prev]
        return math.log(BIGRAM_WEIGHT * p_bi + (1 - BIGRAM_WEIGHT) * p_uni)

    def restore(self, text: str) -> str:
        """The question with marks put back on bare syllables; punctuation and spacing kept."""
        tokens = list(_SYLLABLE.finditer(text))
        if not tokens or not self.unigrams:
            return text
        total = sum(self.unigrams.values())
        options: list[list[str]] = []
        for t in tokens:
            word = t.group(0)
            lower = word.lower()
            if fold(word) != lower:  # typed with marks: the person knows best
                options.append([nfc(lower)])
            else:
                options.append(self.candidates.get(lower, [lower]))
        # Viterbi over the candidate spellings of each syllable.
        scores = {w: self._logp(None, w, total) for w in options[0]}
        back: list[dict[str, str]] = []
        for column in options[1:]:
            step: dict[str, float] = {}
            pointers: dict[str, str] = {}
            for w in column:
                prev, score = max(((p, s + self._logp(p, w, total)) for p, s in scores.items()), key=lambda x: x[1])
                step[w], pointers[w] = score, prev
            scores = step
            back.append(pointers)
        word = max(scores, key=lambda w: scores[w])
        chosen = [word]
        for pointers in reversed(back):
            word = pointers[word]
            chosen.append(word)
        chosen.reverse()
        out, last = [], 0
        for t, form in zip(tokens, chosen):
            original = t.group(0)
            out.append(text[last : t.start()])
            out.append(original if fold(original) != original.lower() or form == original.lower() else form)
            last = t.end()
        out.append(text[last:])
        return "".join(out)
