"""Index versions on disk and the pointer that says which one serves: the one owner of that format.

Each ingest writes a complete new version (its own Chroma collection, lexical index and chunk
list) and only then replaces the CURRENT pointer, atomically. Readers never see a half-built
index, a killed ingest leaves the old version serving, and no two processes ever write the
same Chroma directory. Every file name of a version, the manifest, fsync and pruning (folders
and, with a Chroma server, its collections) live here; ingest and the benchmark write through
`NewVersion`, readers open through `StoreHandle`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import secrets
import shutil
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import NoIndexError, StoreUnavailableError
from assistant.lexical import LexicalIndex
from assistant.models import Chunk
from assistant.restore import Restorer
from assistant.settings import Settings
from assistant.textnorm import content_terms

COLLECTION_PREFIX = "guides_"
# The files of one version folder. The manifest is written last: a folder without one is an unfinished ingest.
MANIFEST = "manifest.json"
CHUNKS = "chunks.jsonl"
TERMS = "terms.json"
RESTORE = "restore.json"
LEXICAL = "lexical"
CHROMA = "chroma"  # the embedded Chroma store; absent with a Chroma server
BATCH = 5000  # Chroma's add() limit per call


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
    return chromadb.PersistentClient(path=str(version_dir / CHROMA), settings=chroma_settings)


def collection_name(version_id: str) -> str:
    return COLLECTION_PREFIX + version_id


def read_pointer(settings: Settings) -> str | None:
    try:
        value = settings.current_pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return value or None


def fsync_write(path: Path, text: str) -> None:
    """Write `path` whole and durably: a temporary file, fsync, then an atomic rename."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def write_pointer(settings: Settings, version_id: str) -> None:
    fsync_write(settings.current_pointer, version_id)


def version_path(settings: Settings, version_id: str) -> Path:
    return settings.versions_dir / version_id


def read_manifest(settings: Settings, version_id: str | None) -> dict[str, Any]:
    """The manifest of a version: its model, and per source file the hash and chunk ids, plus failed files.

    An absent or unreadable manifest reads as empty, so the next ingest rebuilds everything."""
    empty: dict[str, Any] = {"files": {}, "failed": {}}
    if version_id is None:
        return empty
    try:
        manifest: dict[str, Any] = json.loads((version_path(settings, version_id) / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return empty
    return manifest


def remember_failures(settings: Settings, version_id: str, failed: dict[str, dict[str, str]]) -> None:
    """Record files that failed to load on the serving version, so unchanged broken files are not retried."""
    manifest = read_manifest(settings, version_id)
    if not manifest.get("files"):
        return  # unreadable: never replace a serving version's manifest with an empty one
    manifest["failed"] = {**manifest.get("failed", {}), **failed}
    fsync_write(version_path(settings, version_id) / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))


@dataclass
class IndexVersion:
    """One complete, read-only index version."""

    id: str
    path: Path
    chunks: list[Chunk]  # in lexical-index order
    lexical: LexicalIndex
    collection: Any
    restorer: Restorer
    term_df: dict[str, int] = field(default_factory=dict)  # folded content word → passages containing it
    by_id: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {c.id: i for i, c in enumerate(self.chunks)}

    def idf(self, term: str) -> float:
        """Rarity of a word in the corpus; a word the corpus never uses weighs the most."""
        return math.log((len(self.chunks) + 1) / (self.term_df.get(term, 0) + 0.5))


def load_chunks(settings: Settings, version_id: str) -> list[Chunk]:
    """The passages of a version, in lexical-index order."""
    chunks = []
    with open(version_path(settings, version_id) / CHUNKS, encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            chunks.append(Chunk(**record))
    return chunks


def open_version(settings: Settings, version_id: str, embedding_function: Any) -> IndexVersion:
    path = version_path(settings, version_id)
    try:
        if not (path / MANIFEST).is_file():
            raise FileNotFoundError(f"{path / MANIFEST} is missing: an unfinished version")
        chunks = load_chunks(settings, version_id)
        restorer = Restorer.from_json(json.loads((path / RESTORE).read_text(encoding="utf-8")))
        term_df = json.loads((path / TERMS).read_text(encoding="utf-8"))["df"]
    except (OSError, ValueError) as exc:
        raise StoreUnavailableError(
            f"Không đọc được chỉ mục phiên bản {version_id} ({exc}). Hãy chạy lại `assistant ingest`."
        ) from exc
    try:
        lexical = LexicalIndex.load(path / LEXICAL, len(chunks))
    except Exception:
        # A damaged lexical index is derived data: rebuild it from the chunk list.
        import logging

        logging.getLogger(__name__).warning("lexical index of version %s unreadable; rebuilding", version_id)
        lexical = LexicalIndex.build([c.embed_text for c in chunks])
        try:
            lexical.save(path / LEXICAL)
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
    return IndexVersion(version_id, path, chunks, lexical, collection, restorer, term_df)


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


def new_version_id() -> str:
    """Sortable by time of creation (pruning keeps the newest), unique across processes."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)


class NewVersion:
    """A version being written: its folder and empty Chroma collection, then vectors, derived files, manifest.

    Only `finish` makes it a complete version (the manifest is written last); `discard` removes it,
    collection included. Neither moves the pointer: `write_pointer` does, when the caller decides.
    """

    def __init__(self, settings: Settings, version_id: str | None = None) -> None:
        from assistant.embedding import embedding_function

        self.settings = settings
        self.id = version_id or new_version_id()
        self.path = version_path(settings, self.id)
        self.path.mkdir(parents=True)
        self.client = chroma_client(settings, self.path)
        self.collection = self.client.create_collection(
            collection_name(self.id),
            embedding_function=embedding_function(settings.embedding_model),
            configuration={"hnsw": {"space": "cosine"}},
        )

    def add(self, chunks: list[Chunk], vectors: Any) -> None:
        """Add chunks with their vectors, in batches Chroma accepts."""
        for start in range(0, len(chunks), BATCH):
            part = chunks[start : start + BATCH]
            self.collection.add(
                ids=[c.id for c in part],
                documents=[c.text for c in part],
                metadatas=[c.metadata() for c in part],
                embeddings=vectors[start : start + BATCH],
            )

    def write_derived(self, chunks: list[Chunk], lap: Callable[[str], None] | None = None) -> None:
        """Everything the version derives from its chunks: lexical index, word statistics, restorer, chunk list.

        `lap(step)` is called after each step, for the benchmark's timings.
        """
        mark = lap or (lambda step: None)
        texts = [c.embed_text for c in chunks]
        LexicalIndex.build(texts).save(self.path / LEXICAL)
        mark("lexical")
        df: Counter[str] = Counter()
        for text in texts:
            df.update(content_terms(text))
        fsync_write(self.path / TERMS, json.dumps({"chunks": len(chunks), "df": df}, ensure_ascii=False))
        mark("terms")
        fsync_write(self.path / RESTORE, json.dumps(Restorer.build(texts).to_json(), ensure_ascii=False))
        mark("restore")
        fsync_write(self.path / CHUNKS,
                    "".join(json.dumps(asdict(c), ensure_ascii=False) + "\n" for c in chunks))

    def finish(self, chunks: int, files: dict[str, Any], failed: dict[str, dict[str, str]]) -> None:
        """Write the manifest, last: from here on the version is complete.

        `files` maps each source to {"sha256": hash of the guide and its sidecar, "chunk_ids": [...]};
        `failed` maps sources that did not load to {"sha256", "reason"}."""
        manifest = {
            "version": self.id,
            "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "model": self.settings.embedding_model,
            "chunks": chunks,
            "files": files,
            "failed": failed,
        }
        fsync_write(self.path / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))

    def discard(self) -> None:
        discard_versions(self.settings, [self.id])


def copy_vectors(settings: Settings, version_id: str, ids: list[str]) -> dict[str, Any]:
    """The stored vectors of `ids` in a complete version, by id (ingest re-uses them for unchanged guides)."""
    from assistant.embedding import embedding_function

    collection = chroma_client(settings, version_path(settings, version_id)).get_collection(
        collection_name(version_id), embedding_function=embedding_function(settings.embedding_model))
    vectors: dict[str, Any] = {}
    for start in range(0, len(ids), BATCH):
        got = collection.get(ids=ids[start : start + BATCH], include=["embeddings"])
        vectors.update(zip(got["ids"], got["embeddings"]))
    return vectors


def discard_versions(settings: Settings, version_ids: list[str]) -> None:
    """Remove versions: their folders and, with a Chroma server, their collections on it."""
    for version_id in version_ids:
        shutil.rmtree(version_path(settings, version_id), ignore_errors=True)
    if settings.chroma_mode != "http" or not version_ids:
        return
    import logging

    try:
        client = chroma_client(settings, settings.versions_dir)
        existing = {c.name for c in client.list_collections()}
        for version_id in version_ids:
            if collection_name(version_id) in existing:
                client.delete_collection(collection_name(version_id))
    except Exception as exc:  # the server is down: the next ingest's pruning tries again
        logging.getLogger(__name__).warning("could not delete old Chroma collections: %s", exc)


def prune_versions(settings: Settings, keep: int) -> list[str]:
    """Delete old and abandoned versions; keep the serving one and the newest `keep - 1` others.

    Call only while holding the ingest lock: a folder without a manifest is then a killed ingest.
    With a Chroma server, collections of this data folder's versions that are gone are deleted too.
    """
    current = read_pointer(settings)
    if not settings.versions_dir.exists():
        return []
    versions = sorted(p for p in settings.versions_dir.iterdir() if p.is_dir())
    complete = [p for p in versions if (p / MANIFEST).exists() and p.name != current]
    kept = {current} | {p.name for p in complete[len(complete) - (keep - 1):]} if keep > 1 else {current}
    removed = [p.name for p in versions if p.name not in kept]
    discard_versions(settings, removed)
    return removed
