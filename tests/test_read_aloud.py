"""POST /nghe: an answer read aloud by espeak-ng, for browsers without a Vietnamese voice."""

from __future__ import annotations

import io
import shutil
import wave

import pytest
from fastapi.testclient import TestClient

from assistant.settings import Settings

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is installed by `make test`")


@pytest.fixture
def client(bundled_assistant, tmp_path):  # type: ignore[no-untyped-def]
    from assistant.ui.app import create_app

    return TestClient(create_app(Settings(data_dir=tmp_path / "d"), bundled_assistant))


def seconds(wav: bytes) -> float:
    with wave.open(io.BytesIO(wav)) as w:
        return w.getnframes() / w.getframerate()


def test_audio_is_valid_wav_whose_length_follows_the_text(client):
    short = client.post("/nghe", json={"text": "Bước 1. Mở ứng dụng VNeID."})
    assert short.status_code == 200 and short.headers["content-type"] == "audio/wav"
    long = client.post("/nghe", json={"text": "Bước 1. Mở ứng dụng VNeID. Bước 2. Chọn Quên mật khẩu. "
                                              "Bước 3. Nhập mã OTP gửi về số điện thoại rồi đặt mật khẩu mới. [1]"})
    assert 1 < seconds(short.content) < seconds(long.content) < 30


def test_empty_too_long_and_too_many_are_refused_politely(client):
    assert client.post("/nghe", json={"text": "[1] **"}).status_code == 400
    assert client.post("/nghe", json={"text": "a" * 5000}).status_code == 422
    codes = [client.post("/nghe", json={"text": "Gọi 1900 0368."}).status_code for _ in range(21)]
    assert codes[-1] == 429 and codes[0] == 200
