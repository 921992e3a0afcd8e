"""Cut a guide on its headings, then by size, into passages that stand alone."""

from __future__ import annotations

import hashlib

from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

from assistant.guide_format import SUMMARY_SECTION
from assistant.models import Chunk
from ingest.conventions import review_period
from ingest.loaders import Document

_HEADERS = [("#", "h1"), ("##", "h2"), ("###", "h3")]


def chunk_id(source: str, section: str, text: str) -> str:
    return hashlib.sha1(f"{source}\n{section}\n{text}".encode()).hexdigest()[:20]


def summary_of(body: str) -> str:
    """The first paragraph that is not a heading: guides open with a one-sentence summary."""
    for block in body.split("\n\n"):
        block = block.strip()
        if block and not block.startswith("#"):
            return " ".join(block.split())
    return ""


def split(doc: Document, chunk_size: int = 900) -> list[Chunk]:
    by_heading = MarkdownHeaderTextSplitter(_HEADERS, strip_headers=True).split_text(doc.body)
    by_size = RecursiveCharacterTextSplitter(
        chunk_size=chunk_size, chunk_overlap=0, separators=["\n\n", "\n", ". ", " ", ""], keep_separator="end"
    )
    title = doc.meta["title"]
    summary = summary_of(doc.body)
    chunks: list[Chunk] = []
    seen: set[str] = set()
    for part in by_heading:
        headings = [part.metadata[k] for k in ("h2", "h3") if part.metadata.get(k)]
        section = " › ".join(headings) if headings else SUMMARY_SECTION
        for piece in by_size.split_text(part.page_content):
            text = piece.strip()
            if not text:
                continue
            cid = chunk_id(doc.source, section, text)
            if cid in seen:
                continue
            seen.add(cid)
            chunks.append(
                Chunk(
                    id=cid,
                    text=text,
                    title=title,
                    section=section,
                    source=doc.source,
                    url=doc.meta["source_url"],
                    source_name=str(doc.meta.get("source_name", "")),
                    checked=doc.meta["checked"],
                    topic=doc.meta["topic"],
                    summary=summary,
                    position=len(chunks),
                    review_every=review_period(doc.meta),
                )
            )
    return chunks
