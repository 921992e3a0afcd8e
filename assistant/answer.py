"""Turn retrieved passages into a short reply a resident can follow, citing every part.

Extractive: the summary, the steps and the notes are lifted word for word from the cited
passages; nothing is said that a passage does not say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.models import Answer, Chunk, Citation, Passage
from assistant.textnorm import fold

_STEP = re.compile(r"^\s*(\d{1,2})[.)]\s+(.+)$")
_BULLET = re.compile(r"^\s*[-*•]\s+(.+)$")
_HOWTO = re.compile(
    r"\b(lam (sao|the nao|gi|nhu the nao)|cach|the nao|cac buoc|buoc nao|nhung buoc|bang cach nao|ntn|o dau|thu tuc|"
    r"huong dan|how|steps?|where)\b"
)
_SCAM_TOPICS = re.compile(
    r"\b(chuyen khoan|chuyen tien|chuyen nham|nap tien|vi dien tu|link|duong link|duong dan|goi dien|cuoc goi|"
    r"tin nhan|otp|qr|lua dao|gia danh|mao danh|transfer|scam|call)\b"
)
_NOTE_HINTS = ("phi", "mien phi", "mang", "giay to", "han", "ngay", "otp", "mat khau", "passcode", "khong")
MAX_NOTES = 3
MAX_BODY_CHARS = 700


@dataclass(frozen=True)
class Labels:
    steps: str
    notes: str
    warning: str
    related: str
    summary_prefix: str

    @classmethod
    def for_language(cls, lang: str) -> "Labels":
        if lang == "en":
            return cls("Steps (from the Vietnamese guide):", "Notes:", "Warning:", "See also:", "In short")
        return cls("Các bước:", "Lưu ý:", "Cảnh báo:", "Xem thêm:", "")


def steps_in(text: str) -> list[str]:
    return [m.group(2).strip() for line in text.splitlines() if (m := _STEP.match(line))]


def bullets_in(text: str) -> list[str]:
    return [m.group(1).strip() for line in text.splitlines() if (m := _BULLET.match(line))]


def is_howto(question: str) -> bool:
    return bool(_HOWTO.search(fold(question)))


def needs_scam_warning(question: str, chunk: Chunk) -> bool:
    return bool(_SCAM_TOPICS.search(fold(question))) or chunk.topic == "thanh-toan"


def pick_notes(chunk: Chunk) -> list[str]:
    bullets = bullets_in(chunk.text)
    ranked = sorted(bullets, key=lambda b: -sum(h in fold(b) for h in _NOTE_HINTS))
    keep = set(ranked[:MAX_NOTES])
    return [b for b in bullets if b in keep]


def trim(text: str, limit: int = MAX_BODY_CHARS) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit("\n", 1)[0] if "\n" in text[:limit] else text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip() + " …"


class Composer:
    """Builds the extractive answer; `guide` gives every chunk of a guide in order."""

    def __init__(self, guide_chunks: dict[str, list[Chunk]], warning_chunk: Chunk | None = None) -> None:
        self.guide_chunks = guide_chunks
        self.warning_chunk = warning_chunk

    def answered(self, question: str, passages: list[Passage], lang: str = "vi", top_k: int = 5) -> Answer:
        labels = Labels.for_language(lang)
        main = passages[0].chunk
        guide = self.guide_chunks.get(main.source, [main])
        body_chunk = main
        if not steps_in(main.text) and is_howto(question):
            ranked_ids = [p.chunk.id for p in passages]
            with_steps = [c for c in guide if steps_in(c.text)]
            with_steps.sort(key=lambda c: ranked_ids.index(c.id) if c.id in ranked_ids else len(ranked_ids))
            if with_steps:
                body_chunk = with_steps[0]

        cited: list[Chunk] = [body_chunk]
        lines: list[str] = []
        if main.summary:
            prefix = f"{labels.summary_prefix} ({main.title}): " if labels.summary_prefix else ""
            lines.append(f"{prefix}{main.summary} [1]")
        steps = steps_in(body_chunk.text)
        if steps:
            lines += ["", f"{labels.steps} [1]"] + [f"{i}. {s}" for i, s in enumerate(steps, 1)]
        else:
            lines += ["", f"**{body_chunk.section}** [1]", trim(body_chunk.text)]

        notes_chunk = next(
            (c for c in guide if fold(c.section).startswith("luu y") and c.id != body_chunk.id), None
        )
        if notes_chunk is not None and (notes := pick_notes(notes_chunk)):
            cited.append(notes_chunk)
            n = len(cited)
            lines += ["", f"{labels.notes} [{n}]"] + [f"- {b}" for b in notes]

        if self.warning_chunk is not None and needs_scam_warning(question, main):
            warning = next(iter(bullets_in(self.warning_chunk.text)), "") or self.warning_chunk.summary
            if warning and self.warning_chunk.id not in {c.id for c in cited}:
                cited.append(self.warning_chunk)
                lines += ["", f"⚠️ {labels.warning} {warning} [{len(cited)}]"]

        scores = {p.chunk.id: p for p in passages}
        seen_guides = {c.source for c in cited}
        related: list[str] = []
        for p in passages[1:]:
            if len(cited) >= top_k:
                break
            if p.chunk.source not in seen_guides:
                cited.append(p.chunk)
                seen_guides.add(p.chunk.source)
                related.append(p.chunk.title)
        if related:
            first = len(cited) - len(related) + 1
            lines += ["", labels.related + " " + "; ".join(f"{t} [{first + i}]" for i, t in enumerate(related))]

        citations = [
            Citation(
                n=i,
                source=c.source,
                title=c.title,
                section=c.section,
                url=c.url,
                text=c.text,
                score=scores[c.id].score if c.id in scores else 0.0,
                checked=c.checked,
                chunk_id=c.id,
            )
            for i, c in enumerate(cited, 1)
        ]
        return Answer(question, "answered", "\n".join(lines).strip(), citations, steps, related)
