"""Reconcile the index with the corpus: add new guides, re-embed changed ones, drop deleted ones.

Every change produces a complete new version next to the serving one; the pointer moves only
after the version is whole, so a crash or a kill leaves the previous version serving.
"""

from __future__ import annotations

import fcntl
import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import CorpusError, IngestLockedError, StorageError
from assistant.models import Chunk
from assistant.settings import Settings
from assistant.store import (
    NewVersion,
    copy_vectors,
    load_chunks,
    prune_versions,
    read_manifest,
    read_pointer,
    remember_failures,
    write_pointer,
)
from ingest.gate import check_refresh
from ingest.loaders import MB, load, supported
from ingest.splitter import split

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

    def outcome(self, loaded: Iterable[str]) -> tuple[list[str], list[str], list[str]]:
        """Sources added, updated and removed once `loaded` are the ones that loaded. A changed file that
        now fails loses its old chunks: serving stale text would be worse."""
        ok = set(loaded)
        return ([s for s in self.new if s in ok], [s for s in self.changed if s in ok],
                self.removed + [s for s in self.changed if s not in ok])


@dataclass
class Preview:
    """What an ingest would do now, by a dry run of it: source → passage count for each kind of change."""

    added: dict[str, int]
    updated: dict[str, int]
    removed: dict[str, int]  # deleted guides, and changed ones that no longer load
    unchanged: int
    errors: dict[str, str]  # source → why it will be skipped
    # source → what `assistant corpus check` says of an added or updated guide (it is still ingested)
    findings: dict[str, list[str]] = field(default_factory=dict)


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


def preview(settings: Settings, corpus_dir: Path | None = None) -> Preview:
    """A dry run of `sync`: the same plan, loaders, size limit and duplicate check, without embedding or writing."""
    with _storage_errors(settings):
        corpus_dir = Path(corpus_dir or settings.corpus_dir)
        manifest = read_manifest(settings, read_pointer(settings))
        todo = plan(corpus_dir, manifest, settings.embedding_model)
        report = IngestReport(files=len(todo.hashes))
        report.errors.update(todo.known_failures)
        fresh, _ = load_changed(todo, settings, report, lambda stage, done, total: None)
        old = manifest.get("files", {})
        added, updated, removed = todo.outcome(fresh)
        return Preview(
            added={s: len(fresh[s]) for s in added},
            updated={s: len(fresh[s]) for s in updated},
            removed={s: len(old[s]["chunk_ids"]) for s in removed},
            unchanged=len(todo.unchanged),
            errors=report.errors,
            findings=convention_findings(corpus_dir, todo, added + updated),
        )


def convention_findings(corpus_dir: Path, todo: Plan, sources: list[str]) -> dict[str, list[str]]:
    """`assistant corpus check` on the guides an ingest would add or update (the rules across guides,
    such as unique titles, see the whole corpus), so staff read them before ingest, not after."""
    from ingest.conventions import check_corpus, guide_name

    if not sources:
        return {}
    found = check_corpus(list(todo.paths.values()), corpus_dir)
    named = {guide_name(todo.paths[s], corpus_dir): s for s in sources}
    return {named[rel]: [f.message for f in findings] for rel, findings in found.items() if rel in named and findings}


@contextmanager
def _storage_errors(settings: Settings) -> Iterator[None]:
    """A full disk or a folder that cannot be read or written becomes a StorageError naming the path."""
    try:
        yield
    except OSError as exc:
        where = exc.filename or settings.data_dir
        raise StorageError(
            f"Không đọc/ghi được '{where}' ({exc.strerror or exc.__class__.__name__}). Hãy kiểm tra dung lượng đĩa "
            f"và quyền ghi thư mục dữ liệu '{settings.data_dir}', rồi chạy lại `assistant ingest`; "
            "phiên bản chỉ mục đang dùng vẫn phục vụ."
        ) from exc


def sync(settings: Settings, corpus_dir: Path | None = None, progress: Progress | None = None,
         force: bool = False) -> IngestReport:
    """Bring the index in line with `corpus_dir`; returns what happened, file by file.

    A new version replaces a serving one only when the development questions still find their
    guides (ingest.gate); `force` switches anyway. A full disk or a folder that cannot be written
    becomes a StorageError naming the path; the serving version is untouched either way."""
    with _storage_errors(settings):
        return _sync(settings, corpus_dir, progress, force)


def _sync(settings: Settings, corpus_dir: Path | None, progress: Progress | None, force: bool) -> IngestReport:
    started = time.perf_counter()
    corpus_dir = Path(corpus_dir or settings.corpus_dir)
    notify = progress or (lambda stage, done, total: None)
    with ingest_lock(settings):
        serving = read_pointer(settings)
        manifest = read_manifest(settings, serving)
        todo = plan(corpus_dir, manifest, settings.embedding_model)
        report = IngestReport(files=len(todo.hashes), unchanged_files=len(todo.unchanged))
        report.errors.update(todo.known_failures)
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
        report.added_files, report.updated_files, report.removed_files = todo.outcome(fresh)
        report.chunks_removed = sum(len(old_files[s]["chunk_ids"]) for s in todo.removed + todo.changed)
        if serving and report.nothing_changed:
            report.version = serving
            remember_failures(settings, serving, failed)
            report.seconds = time.perf_counter() - started
            return report

        new = NewVersion(settings)
        version = new.id
        build_version(new, serving, old_files, kept_sources, fresh, todo.hashes, failed, report, notify)
        if serving and not force:
            touched = set(report.added_files + report.updated_files + report.removed_files)
            result = check_refresh(settings, serving, version, touched, settings.eval_dir)
            report.gate = result.to_json() if result is not None else None
            if result is not None and not result.passed:
                report.refused, report.version = True, serving
                new.discard()
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


def build_version(
    new: NewVersion,
    serving: str | None,
    old_files: dict[str, Any],
    kept_sources: set[str],
    fresh: dict[str, list[Chunk]],
    hashes: dict[str, str],
    failed: dict[str, dict[str, str]],
    report: IngestReport,
    notify: Progress,
) -> None:
    """Fill `new`: unchanged guides keep their stored vectors, new and changed ones are embedded."""
    from assistant.embedding import load_encoder

    settings = new.settings
    kept: list[Chunk] = []
    if serving and kept_sources:
        keep_ids = {cid for s in kept_sources for cid in old_files[s]["chunk_ids"]}
        kept = [c for c in load_chunks(settings, serving) if c.id in keep_ids]
        vectors = copy_vectors(settings, serving, [c.id for c in kept])
        new.add(kept, [vectors[c.id] for c in kept])
        notify("copy", len(kept), len(kept))
    report.chunks_kept = len(kept)

    encoder = load_encoder(settings.embedding_model)
    new_chunks = [c for chunks in fresh.values() for c in chunks]
    step = 64
    for start in range(0, len(new_chunks), step):
        notify("embed", start, len(new_chunks))
        batch = new_chunks[start : start + step]
        vectors = encoder.encode_document([c.embed_text for c in batch], batch_size=32, normalize_embeddings=True)
        new.add(batch, list(vectors))
    notify("embed", len(new_chunks), len(new_chunks))
    report.chunks_added = len(new_chunks)

    everything = kept + new_chunks
    new.write_derived(everything)
    files = {s: old_files[s] for s in kept_sources}
    files.update({s: {"sha256": hashes[s], "chunk_ids": [c.id for c in chunks]} for s, chunks in fresh.items()})
    new.finish(len(everything), files, failed)
    notify("done", 1, 1)
