"""Pure text helpers for Vietnamese: NFC, accent folding, syllable tokens.

The folded view (no tone or vowel marks, đ→d, lower-case) is what lets a question typed
without diacritics meet an accented guide; the original text is what people see.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[0-9a-zà-ỹđ]+", re.IGNORECASE)
_CONTROL = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")

# Syllables that carry no meaning for search; kept small on purpose (folded forms).
STOPWORDS = frozenset(
    """
    a ah ai cac cai co cua den duoc gi ha hay hoac khi khong la lam lai len
    luc nao nay neu nhe nhu nhung no nua o oi ra roi sao se thi toi tren trong
    va vao voi vay xin em anh chu bac ong muon biet giup nhi
    what how does is i for of and or with
    """.split()
)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def clean(text: str) -> str:
    """NFC, strip control and bidi characters, collapse whitespace."""
    text = _CONTROL.sub(" ", nfc(text))
    return re.sub(r"\s+", " ", text).strip()


def fold(text: str) -> str:
    """Lower-case and remove Vietnamese diacritics: 'Đăng ký' → 'dang ky'."""
    text = nfc(text).lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def syllables(text: str) -> list[str]:
    """Lower-cased syllables of the accented text, punctuation dropped."""
    return [m.group(0) for m in _WORD.finditer(nfc(text).lower())]


def folded_syllables(text: str) -> list[str]:
    return [m.group(0) for m in _WORD.finditer(fold(text))]


def has_diacritics(text: str) -> bool:
    return fold(text) != nfc(text).lower()


def lexical_tokens(text: str) -> list[str]:
    """Tokens for the lexical index: folded syllables (minus stopwords) plus folded bigrams.

    Bigrams stand in for Vietnamese compound words ('mat_khau', 'tam_tru') and survive a
    question typed without marks, which a segmenter run on accented text would not.
    """
    sylls = folded_syllables(text)
    unigrams = [s for s in sylls if s not in STOPWORDS]
    bigrams = [f"{a}_{b}" for a, b in zip(sylls, sylls[1:]) if not (a in STOPWORDS and b in STOPWORDS)]
    return unigrams + bigrams


def content_terms(text: str) -> set[str]:
    """Folded syllables that carry meaning: used to judge how much of a question a passage covers."""
    return {s for s in folded_syllables(text) if s not in STOPWORDS and len(s) > 1}
