"""Plain data passed between layers: files → chunks → passages → answers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["answered", "no_answer", "refused"]


@dataclass(frozen=True)
class Chunk:
    """One passage of a guide as stored in the index."""

    id: str
    text: str  # the passage shown and cited, exactly as stored
    title: str
    section: str
    source: str  # e.g. "corpus/vneid/kich-hoat-tai-khoan.md"
    url: str
    source_name: str
    checked: str
    topic: str
    summary: str = ""
    position: int = 0  # order of the chunk within its guide
    review_every: int = 0  # days after `checked` when the guide's facts are due for a new check (0: unknown)

    @property
    def embed_text(self) -> str:
        """What the models see: the passage with its guide title and section, so it stands alone."""
        return f"{self.title}. {self.section}.\n{self.text}"

    def metadata(self) -> dict[str, Any]:
        data = asdict(self)
        del data["id"], data["text"]
        return data


@dataclass
class Passage:
    """A chunk found for a question, with the evidence of why."""

    chunk: Chunk
    score: float  # fused score, higher is better
    dense: float = 0.0  # cosine similarity of question and passage
    lexical: float = 0.0  # BM25 score
    coverage: float = 0.0  # share of the question's content words present in the passage


@dataclass
class Citation:
    n: int
    source: str
    title: str
    section: str
    url: str
    text: str
    score: float
    checked: str = ""
    chunk_id: str = ""

    @classmethod
    def of(cls, n: int, chunk: Chunk, score: float = 0.0) -> "Citation":
        """Citation number `n` of `chunk`, the passage as stored."""
        return cls(n, chunk.source, chunk.title, chunk.section, chunk.url, chunk.text, score, chunk.checked, chunk.id)

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "source": self.source,
            "title": self.title,
            "section": self.section,
            "url": self.url,
            "text": self.text,
            "score": round(self.score, 4),
        }


@dataclass
class Answer:
    question: str
    status: Status
    text: str
    citations: list[Citation] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    standalone: str = ""  # the question as searched, after follow-up condensation
    # Of a reply that does not answer: the guides it names as perhaps meant, each by its section of steps
    # (the pages link their step cards, so the nearest guide is one tap away, never offered as the answer).
    suggestions: list[Citation] = field(default_factory=list)
    # Answered, though the guides only just seemed to cover the question: the reply says so first.
    unsure: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "status": self.status,
            "answer": self.text,
            "citations": [c.to_json() for c in self.citations],
            "unsure": self.unsure,
        }
