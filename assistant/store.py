"""Index versions on disk and the pointer that says which one serves.

Each ingest writes a complete new version (its own Chroma collection, lexical index and chunk
list) and only then replaces the CURRENT pointer, atomically. Readers never see a half-built
index, a killed ingest leaves the old version serving, and no two processes ever write the
same Chroma directory.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import NoIndexError, StoreUnavailableError
from assistant.lexical import LexicalIndex
from assistant.models import Chunk
from assistant.restore import Restorer
from assistant.settings import Settings

COLLECTION_PREFIX = "guides_"


def chroma_client(settings: Settings, version_dir: Path) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_mode == "http":
        try:
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
        except Exception as exc:  # connection refused, DNS, handshake
            raise StoreUnavailableError(
                f"Không kết nối được máy chủ Chroma {settings.chroma_host}:{settings.chroma_port} ({exc})."
            ) from exc
    return chromadb.PersistentClient(path=str(version_dir / "chroma"), settings=chroma_settings)


def collection_name(version_id: str) -> str:
    return COLLECTION_PREFIX + version_id


def read_pointer(settings: Settings) -> str | None:
    try:
        value = settings.current_pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return value or None


def write_pointer(settings: Settings, version_id: str) -> None:
    tmp = settings.current_pointer.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(version_id)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, settings.current_pointer)


@dataclass
class IndexVersion:
    """One complete, read-only index version."""

    id: str
    path: Path
    chunks: list[Chunk]  # in lexical-index order
    lexical: LexicalIndex
    collection: Any
    manifest: dict[str, Any]
    restorer: Restorer
    term_df: dict[str, int] = field(default_factory=dict)  # folded content word → passages containing it
    by_id: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {c.id: i for i, c in enumerate(self.chunks)}

    def idf(self, term: str) -> float:
        """Rarity of a word in the corpus; a word the corpus never uses weighs the most."""
        return math.log((len(self.chunks) + 1) / (self.term_df.get(term, 0) + 0.5))


def load_chunks(path: Path) -> list[Chunk]:
    chunks = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            chunks.append(Chunk(**record))
    return chunks


def open_version(settings: Settings, version_id: str, embedding_function: Any) -> IndexVersion:
    path = settings.versions_dir / version_id
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        chunks = load_chunks(path / "chunks.jsonl")
        restorer = Restorer.from_json(json.loads((path / "restore.json").read_text(encoding="utf-8")))
        term_df = json.loads((path / "terms.json").read_text(encoding="utf-8"))["df"]
    except (OSError, ValueError) as exc:
        raise StoreUnavailableError(
            f"Không đọc được chỉ mục phiên bản {version_id} ({exc}). Hãy chạy lại `assistant ingest`."
        ) from exc
    try:
        lexical = LexicalIndex.load(path / "lexical", len(chunks))
    except Exception:
        # A damaged lexical index is derived data: rebuild it from the chunk list.
        import logging

        logging.getLogger(__name__).warning("lexical index of version %s unreadable; rebuilding", version_id)
        lexical = LexicalIndex.build([c.embed_text for c in chunks])
        try:
            lexical.save(path / "lexical")
        except OSError:
            pass
    try:
        client = chroma_client(settings, path)
        collection = client.get_collection(collection_name(version_id), embedding_function=embedding_function)
    except StoreUnavailableError:
        raise
    except Exception as exc:
        raise StoreUnavailableError(
            f"Không mở được kho vector của phiên bản {version_id} ({exc}). Hãy chạy lại `assistant ingest`."
        ) from exc
    return IndexVersion(version_id, path, chunks, lexical, collection, manifest, restorer, term_df)


class StoreHandle:
    """The serving version, re-read when the pointer moves so a running server sees new ingests."""

    def __init__(self, settings: Settings, embedding_function: Any) -> None:
        self.settings = settings
        self.embedding_function = embedding_function
        self._version: IndexVersion | None = None
        self._lock = threading.Lock()

    def current(self) -> IndexVersion:
        version_id = read_pointer(self.settings)
        if version_id is None:
            raise NoIndexError("Chưa có chỉ mục — hãy chạy `assistant ingest` để nạp hướng dẫn.")
        with self._lock:
            if self._version is None or self._version.id != version_id:
                self._version = open_version(self.settings, version_id, self.embedding_function)
            return self._version

    def reset(self) -> None:
        """Forget the open version, so the next question reconnects (after a store outage)."""
        with self._lock:
            self._version = None


def prune_versions(settings: Settings, keep: int) -> list[str]:
    """Delete old and abandoned versions; keep the serving one and the newest `keep - 1` others.

    Call only while holding the ingest lock: a folder without a manifest is then a killed ingest.
    """
    current = read_pointer(settings)
    if not settings.versions_dir.exists():
        return []
    versions = sorted(p for p in settings.versions_dir.iterdir() if p.is_dir())
    complete = [p for p in versions if (p / "manifest.json").exists() and p.name != current]
    kept = {current} | {p.name for p in complete[len(complete) - (keep - 1):]} if keep > 1 else {current}
    removed = []
    for path in versions:
        if path.name not in kept:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
    return removed
