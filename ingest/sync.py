"""Reconcile the index with the corpus: add new guides, re-embed changed ones, drop deleted ones.

Every change produces a complete new version next to the serving one; the pointer moves only
after the version is whole, so a crash or a kill leaves the previous version serving.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import secrets
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import CorpusError, IngestLockedError, StorageError
from assistant.lexical import LexicalIndex
from assistant.models import Chunk
from assistant.restore import Restorer
from assistant.settings import Settings
from assistant.store import chroma_client, collection_name, prune_versions, read_pointer, write_pointer
from assistant.textnorm import content_terms
from ingest.gate import check_refresh
from ingest.loaders import MB, load, supported
from ingest.splitter import split

BATCH = 5000  # Chroma's add() limit per call
Progress = Callable[[str, int, int], None]


@dataclass
class IngestReport:
    files: int = 0
    added_files: list[str] = field(default_factory=list)
    updated_files: list[str] = field(default_factory=list)
    removed_files: list[str] = field(default_factory=list)
    unchanged_files: int = 0
    chunks_added: int = 0
    chunks_removed: int = 0
    chunks_kept: int = 0
    errors: dict[str, str] = field(default_factory=dict)
    version: str | None = None
    seconds: float = 0.0
    gate: dict[str, Any] | None = None  # the before/after check of answers (ingest.gate), when it ran
    refused: bool = False  # the new version broke answers and was not switched to

    @property
    def nothing_changed(self) -> bool:
        return not (self.added_files or self.updated_files or self.removed_files)

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "nothing_changed": self.nothing_changed}


@dataclass
class Plan:
    """What differs between the corpus on disk and the serving version."""

    hashes: dict[str, str]  # source → sha256 of every readable corpus file
    paths: dict[str, Path]
    new: list[str]
    changed: list[str]
    removed: list[str]
    unchanged: list[str]
    known_failures: dict[str, str]  # unchanged files that failed before, with their reason

    @property
    def to_load(self) -> list[str]:
        return self.new + self.changed


def source_name(corpus_dir: Path, path: Path) -> str:
    return f"{corpus_dir.name}/{path.relative_to(corpus_dir).as_posix()}"


def scan(corpus_dir: Path) -> dict[str, Path]:
    if not corpus_dir.is_dir():
        raise CorpusError(f"Không tìm thấy thư mục hướng dẫn '{corpus_dir}'. Dùng --corpus để chỉ đúng thư mục.")
    files = {}
    for path in sorted(corpus_dir.rglob("*")):
        if path.is_file() and supported(path) and not any(p.startswith(".") for p in path.parts[-3:-1]):
            files[source_name(corpus_dir, path)] = path
    return files


def file_hash(path: Path) -> str:
    """Hash of the guide and its `.meta.yml` sidecar: fixing the metadata is a change too."""
    digest = hashlib.sha256()
    for part in (path, Path(str(path) + ".meta.yml")):
        if not part.exists():
            continue
        with open(part, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def current_manifest(settings: Settings) -> dict[str, Any]:
    version = read_pointer(settings)
    if version is None:
        return {"files": {}, "failed": {}}
    path = settings.versions_dir / version / "manifest.json"
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return manifest
    except (OSError, ValueError):
        return {"files": {}, "failed": {}}  # unreadable: rebuild everything


def plan(corpus_dir: Path, manifest: dict[str, Any], model: str) -> Plan:
    paths = scan(corpus_dir)
    hashes = {source: file_hash(path) for source, path in paths.items()}
    known = manifest.get("files", {})
    if manifest.get("model", model) != model:
        known = {}  # another embedding model: every vector must be made again
    failed = manifest.get("failed", {})
    new: list[str] = []
    changed: list[str] = []
    unchanged: list[str] = []
    known_failures: dict[str, str] = {}
    for source, digest in hashes.items():
        if source in known:
            (unchanged if known[source]["sha256"] == digest else changed).append(source)
        elif source in failed and failed[source]["sha256"] == digest:
            known_failures[source] = failed[source]["reason"]
        else:
            new.append(source)
    removed = [s for s in known if s not in hashes]
    return Plan(hashes, paths, new, changed, removed, unchanged, known_failures)


@contextmanager
def ingest_lock(settings: Settings) -> Iterator[None]:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.lock_path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IngestLockedError(
                "Một lần nạp hướng dẫn khác đang chạy; hãy đợi nó xong rồi chạy lại `assistant ingest`."
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def new_version_id() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)


def fsync_write(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def sync(settings: Settings, corpus_dir: Path | None = None, progress: Progress | None = None,
         force: bool = False) -> IngestReport:
    """Bring the index in line with `corpus_dir`; returns what happened, file by file.

    A new version replaces a serving one only when the development questions still find their
    guides (ingest.gate); `force` switches anyway. A full disk or a folder that cannot be written
    becomes a StorageError naming the path; the serving version is untouched either way."""
    try:
        return _sync(settings, corpus_dir, progress, force)
    except OSError as exc:
        where = exc.filename or settings.data_dir
        raise StorageError(
            f"Không đọc/ghi được '{where}' ({exc.strerror or exc.__class__.__name__}). Hãy kiểm tra dung lượng đĩa "
            f"và quyền ghi thư mục dữ liệu '{settings.data_dir}', rồi chạy lại `assistant ingest`; "
            "phiên bản chỉ mục đang dùng vẫn phục vụ."
        ) from exc


def _sync(settings: Settings, corpus_dir: Path | None, progress: Progress | None, force: bool) -> IngestReport:
    started = time.perf_counter()
    corpus_dir = Path(corpus_dir or settings.corpus_dir)
    notify = progress or (lambda stage, done, total: None)
    with ingest_lock(settings):
        manifest = current_manifest(settings)
        todo = plan(corpus_dir, manifest, settings.embedding_model)
        report = IngestReport(files=len(todo.hashes), unchanged_files=len(todo.unchanged))
        report.errors.update(todo.known_failures)
        serving = read_pointer(settings)
        if serving and not (todo.to_load or todo.removed):
            report.version = serving
            report.seconds = time.perf_counter() - started
            return report

        fresh, failed = load_changed(todo, settings, report, notify)
        kept_sources = set(todo.unchanged)
        old_files = manifest.get("files", {})
        if not fresh and not kept_sources:
            raise CorpusError(
                "Không nạp được hướng dẫn nào"
                + (": " + "; ".join(report.errors.values()) if report.errors else f" trong '{corpus_dir}'.")
            )
        report.added_files = [s for s in todo.new if s in fresh]
        report.updated_files = [s for s in todo.changed if s in fresh]
        # A changed file that now fails loses its old chunks: serving stale text would be worse.
        report.removed_files = todo.removed + [s for s in todo.changed if s not in fresh]
        report.chunks_removed = sum(len(old_files[s]["chunk_ids"]) for s in todo.removed + todo.changed)
        if serving and report.nothing_changed:
            report.version = serving
            _remember_failures(settings, serving, failed)
            report.seconds = time.perf_counter() - started
            return report

        version = new_version_id()
        build_version(settings, version, serving, old_files, kept_sources, fresh, todo.hashes, failed, report, notify)
        if serving and not force:
            touched = set(report.added_files + report.updated_files + report.removed_files)
            result = check_refresh(settings, serving, version, touched, settings.eval_dir)
            report.gate = result.to_json() if result is not None else None
            if result is not None and not result.passed:
                report.refused, report.version = True, serving
                shutil.rmtree(settings.versions_dir / version, ignore_errors=True)
                prune_versions(settings, settings.keep_versions)
                report.seconds = time.perf_counter() - started
                return report
        write_pointer(settings, version)
        prune_versions(settings, settings.keep_versions)
        report.version = version
        report.seconds = time.perf_counter() - started
        return report


def load_changed(
    todo: Plan, settings: Settings, report: IngestReport, notify: Progress
) -> tuple[dict[str, list[Chunk]], dict[str, dict[str, str]]]:
    fresh: dict[str, list[Chunk]] = {}
    failed: dict[str, dict[str, str]] = {}
    first_by_hash = {todo.hashes[s]: s for s in reversed(todo.unchanged)}
    for i, source in enumerate(todo.to_load):
        notify("load", i, len(todo.to_load))
        digest = todo.hashes[source]
        try:
            if digest in first_by_hash:
                raise CorpusError(f"{source}: trùng nội dung với {first_by_hash[digest]}, bỏ qua")
            document = load(todo.paths[source], source, max_bytes=int(settings.max_file_mb * MB))
            chunks = split(document, settings.chunk_size)
            if not chunks:
                raise CorpusError(f"{source}: không có đoạn văn nào để nạp")
        except CorpusError as exc:
            report.errors[source] = str(exc)
            failed[source] = {"sha256": digest, "reason": str(exc)}
            continue
        first_by_hash[digest] = source
        fresh[source] = chunks
    notify("load", len(todo.to_load), len(todo.to_load))
    return fresh, failed


def _remember_failures(settings: Settings, version: str, failed: dict[str, dict[str, str]]) -> None:
    path = settings.versions_dir / version / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["failed"] = {**manifest.get("failed", {}), **failed}
    tmp = path.with_suffix(".tmp")
    fsync_write(tmp, json.dumps(manifest, ensure_ascii=False, indent=1))
    os.replace(tmp, path)


def build_version(
    settings: Settings,
    version: str,
    serving: str | None,
    old_files: dict[str, Any],
    kept_sources: set[str],
    fresh: dict[str, list[Chunk]],
    hashes: dict[str, str],
    failed: dict[str, dict[str, str]],
    report: IngestReport,
    notify: Progress,
) -> None:
    from assistant.embedding import embedding_function, load_encoder
    from assistant.store import load_chunks

    path = settings.versions_dir / version
    path.mkdir(parents=True)
    ef = embedding_function(settings.embedding_model)
    _, collection = create_collection(settings, version)

    kept: list[Chunk] = []
    if serving and kept_sources:
        keep_ids = {cid for s in kept_sources for cid in old_files[s]["chunk_ids"]}
        kept = [c for c in load_chunks(settings.versions_dir / serving / "chunks.jsonl") if c.id in keep_ids]
        old = chroma_client(settings, settings.versions_dir / serving).get_collection(
            collection_name(serving), embedding_function=ef
        )
        for start in range(0, len(kept), BATCH):
            batch = kept[start : start + BATCH]
            got = old.get(ids=[c.id for c in batch], include=["embeddings"])
            vectors = dict(zip(got["ids"], got["embeddings"]))
            add_chunks(collection, batch, [vectors[c.id] for c in batch])
            notify("copy", start + len(batch), len(kept))
    report.chunks_kept = len(kept)

    encoder = load_encoder(settings.embedding_model)
    new_chunks = [c for chunks in fresh.values() for c in chunks]
    step = 64
    for start in range(0, len(new_chunks), step):
        notify("embed", start, len(new_chunks))
        batch = new_chunks[start : start + step]
        vectors = encoder.encode_document([c.embed_text for c in batch], batch_size=32, normalize_embeddings=True)
        add_chunks(collection, batch, list(vectors))
    notify("embed", len(new_chunks), len(new_chunks))
    report.chunks_added = len(new_chunks)

    everything = kept + new_chunks
    write_derived(path, everything)
    files = {s: old_files[s] for s in kept_sources}
    files.update({s: {"sha256": hashes[s], "chunk_ids": [c.id for c in chunks]} for s, chunks in fresh.items()})
    manifest = {
        "version": version,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "model": settings.embedding_model,
        "chunks": len(everything),
        "files": files,
        "failed": failed,
    }
    # Written last: a version folder without a manifest is an unfinished ingest.
    fsync_write(path / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    notify("done", 1, 1)


def create_collection(settings: Settings, version: str) -> tuple[Any, Any]:
    """The Chroma client and the new, empty collection of `version` (cosine, our embedding function)."""
    from assistant.embedding import embedding_function

    client = chroma_client(settings, settings.versions_dir / version)
    collection = client.create_collection(
        collection_name(version),
        embedding_function=embedding_function(settings.embedding_model),
        configuration={"hnsw": {"space": "cosine"}},
    )
    return client, collection


def write_derived(path: Path, chunks: list[Chunk], lap: Callable[[str], None] | None = None) -> None:
    """Everything a version derives from its chunks: lexical index, word statistics, restorer, chunk list.

    `lap(step)` is called after each step, for the benchmark's timings.
    """
    mark = lap or (lambda step: None)
    texts = [c.embed_text for c in chunks]
    LexicalIndex.build(texts).save(path / "lexical")
    mark("lexical")
    df: Counter[str] = Counter()
    for text in texts:
        df.update(content_terms(text))
    fsync_write(path / "terms.json", json.dumps({"chunks": len(chunks), "df": df}, ensure_ascii=False))
    mark("terms")
    fsync_write(path / "restore.json", json.dumps(Restorer.build(texts).to_json(), ensure_ascii=False))
    mark("restore")
    fsync_write(path / "chunks.jsonl", "".join(json.dumps(asdict(c), ensure_ascii=False) + "\n" for c in chunks))


def add_chunks(collection: Any, chunks: list[Chunk], vectors: Any) -> None:
    """Add chunks with their vectors, in batches Chroma accepts."""
    for start in range(0, len(chunks), BATCH):
        part = chunks[start : start + BATCH]
        collection.add(
            ids=[c.id for c in part],
            documents=[c.text for c in part],
            metadatas=[c.metadata() for c in part],
            embeddings=vectors[start : start + BATCH],
        )
