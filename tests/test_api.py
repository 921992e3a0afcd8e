"""The /api/v1 contract: every endpoint and error, keys, rate limits, follow-ups, and ask --json parity."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from assistant.api_keys import ApiKeys
from assistant.settings import Settings

CONTRACT_FIELDS = {"question", "status", "answer", "citations", "unsure", "conversation_id"}
CITATION_FIELDS = {"n", "source", "title", "section", "url", "text", "score"}


@pytest.fixture
def client_for(bundled_assistant, tmp_path):  # type: ignore[no-untyped-def]
    """A client of the API app (without pages) over the bundled index, with settings of the test's choosing."""
    from assistant.server import api_app

    def make(_addr: str = "10.0.0.1", **overrides: object) -> TestClient:
        settings = Settings(data_dir=tmp_path / "api-data", **overrides)  # type: ignore[arg-type]
        return TestClient(api_app(settings, bundled_assistant), client=(_addr, 5000))

    return make


def test_ask_returns_the_ask_json_fields_plus_a_conversation_id(client_for):
    response = client_for().post("/api/v1/ask", json={"question": "quen mat khau vneid"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == CONTRACT_FIELDS
    assert body["status"] == "answered" and body["question"] == "quen mat khau vneid"
    assert body["citations"] and set(body["citations"][0]) == CITATION_FIELDS
    assert body["citations"][0]["source"] == "corpus/vneid/quen-mat-khau.md"
    assert len(body["conversation_id"]) == 32


def test_citations_match_ask_json_for_the_same_question(client_for, bundled_index):
    from assistant.cli import cli

    question = "chuyển khoản bằng mã QR thế nào"
    api = client_for().post("/api/v1/ask", json={"question": question}).json()
    result = CliRunner().invoke(cli, ["ask", "--json"], input=question + "\n",
                                env={"ASSISTANT_DATA_DIR": str(bundled_index)})
    assert result.exit_code == 0, result.output
    line = json.loads(result.output.strip().splitlines()[-1])
    assert api["citations"] == line["citations"]
    same = ("question", "status", "answer", "unsure")
    assert {k: api[k] for k in same} == {k: line[k] for k in same}


def test_a_follow_up_uses_the_conversation(client_for):
    client = client_for()
    first = client.post("/api/v1/ask", json={"question": "Làm sao để kích hoạt tài khoản VNeID?"}).json()
    follow = client.post("/api/v1/ask", json={"question": "bước 2 là gì?",
                                              "conversation_id": first["conversation_id"]}).json()
    assert follow["conversation_id"] == first["conversation_id"]
    assert follow["answer"].startswith("Bước 2:")
    alone = client.post("/api/v1/ask", json={"question": "bước 2 là gì?"}).json()
    assert not alone["answer"].startswith("Bước 2:") and alone["conversation_id"] != first["conversation_id"]


def test_an_unknown_conversation_id_starts_a_new_one(client_for):
    body = client_for().post("/api/v1/ask", json={"question": "quen mat khau vneid",
                                                  "conversation_id": "khong-ton-tai-123"}).json()
    assert body["conversation_id"] != "khong-ton-tai-123"


def test_personal_numbers_are_not_kept_in_conversations(client_for, tmp_path):
    client_for().post("/api/v1/ask", json={"question": "số cccd 001203004567 quên mật khẩu vneid"})
    stored = (tmp_path / "api-data" / "conversations.sqlite3").read_bytes()
    assert b"001203004567" not in stored


@pytest.mark.parametrize("payload, fragment", [
    (b"{not json", "không hợp lệ"),
    (b'{"question": ""}', "trống"),
    (b'{"question": "   "}', "trống"),
    (b'{"cau_hoi": "x"}', "question"),
    (b'{"question": 12}', "question"),
    (b"[]", "không hợp lệ"),
])
def test_bad_requests_get_400_with_a_reason(client_for, payload, fragment):
    response = client_for().post("/api/v1/ask", content=payload, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert fragment in response.json()["detail"]


def test_a_too_long_question_gets_400_and_a_huge_body_413(client_for):
    client = client_for(max_question_chars=200)
    assert client.post("/api/v1/ask", json={"question": "a " * 150}).status_code == 400
    huge = json.dumps({"question": "a" * 40_000}).encode()
    assert client.post("/api/v1/ask", content=huge, headers={"Content-Type": "application/json"}).status_code == 413

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(40):
            yield b" " * 1000

    response = client.post("/api/v1/ask", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413


def test_keys_required_gives_401_without_and_403_with_a_wrong_or_revoked_key(client_for, tmp_path):
    keys = ApiKeys(tmp_path / "api-data" / "api-keys.json")
    key, secret = keys.create("website phường")
    client = client_for(api_require_key=True)
    ask = {"question": "quen mat khau vneid"}
    assert client.post("/api/v1/ask", json=ask).status_code == 401
    assert client.post("/api/v1/ask", json=ask, headers={"X-API-Key": "tls_sai"}).status_code == 403
    assert client.post("/api/v1/ask", json=ask, headers={"X-API-Key": secret}).status_code == 200
    assert keys.revoke(key.id)
    assert client.post("/api/v1/ask", json=ask, headers={"X-API-Key": secret}).status_code == 403
    assert secret not in (tmp_path / "api-data" / "api-keys.json").read_text(encoding="utf-8")


def test_rate_limit_answers_429_with_retry_after_per_address_and_per_key(client_for, tmp_path):
    ask = {"question": "quen mat khau vneid"}
    first = client_for(api_rate_limit="3/minute", _addr="10.0.0.7")
    assert [first.post("/api/v1/ask", json=ask).status_code for _ in range(3)] == [200, 200, 200]
    refused = first.post("/api/v1/ask", json=ask)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60

    # a key with its own, higher limit is counted apart from the address
    _, secret = ApiKeys(tmp_path / "api-data" / "api-keys.json").create("app thành phố", rate="5/minute")
    keyed = client_for(api_rate_limit="3/minute", _addr="10.0.0.8")
    codes = [keyed.post("/api/v1/ask", json=ask, headers={"X-API-Key": secret}).status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]


def test_guides_health_and_offline_docs(client_for):
    client = client_for()
    guides = client.get("/api/v1/guides").json()
    assert len(guides) >= 80
    assert {"source", "title", "topic", "url", "source_name", "checked"} <= set(guides[0])
    health = client.get("/api/v1/healthz").json()
    assert health["ok"] and health["chunks"] > 0 and health["worker"] > 0
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and "cdn" not in docs.text.lower()
    schema = client.get("/api/v1/openapi.json").json()
    assert {"/ask", "/guides", "/healthz"} <= set(schema["paths"])
    assert "429" in schema["paths"]["/ask"]["post"]["responses"]
    asset = docs.text.split('src="', 1)[1].split('"', 1)[0]
    assert client.get(asset).status_code == 200, "Swagger UI is served from the package, not a CDN"


def test_health_without_an_index_is_503(bundled_assistant, tmp_path):
    from assistant.pipeline import Assistant
    from assistant.server import api_app

    empty = Settings(data_dir=tmp_path / "empty")
    client = TestClient(api_app(empty, Assistant.from_settings(empty, log=False)))
    assert client.get("/api/v1/healthz").status_code == 503
    assert client.post("/api/v1/ask", json={"question": "quen mat khau vneid"}).status_code == 503


def test_the_page_server_and_the_api_share_one_health_check(bundled_assistant, tmp_path):
    from assistant.pipeline import Assistant
    from assistant.ui.app import create_app

    client = TestClient(create_app(bundled_assistant.settings, bundled_assistant))
    page, api = client.get("/healthz"), client.get("/api/v1/healthz")
    assert page.status_code == api.status_code == 200
    assert page.json().keys() == api.json().keys() and page.json()["version"] == api.json()["version"]
    empty = Settings(data_dir=tmp_path / "empty")
    assert TestClient(create_app(empty, Assistant.from_settings(empty, log=False))).get("/healthz").status_code == 503


def test_cors_allows_only_listed_origins(client_for):
    client = client_for(api_cors_origins="https://phuong.example.gov.vn")
    allowed = client.options("/api/v1/ask", headers={"Origin": "https://phuong.example.gov.vn",
                                                     "Access-Control-Request-Method": "POST"})
    assert allowed.headers.get("access-control-allow-origin") == "https://phuong.example.gov.vn"
    other = client.options("/api/v1/ask", headers={"Origin": "https://la.example.com",
                                                   "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in other.headers


def test_api_key_commands_create_list_revoke(tmp_path):
    from assistant.cli import cli

    env = {"ASSISTANT_DATA_DIR": str(tmp_path / "d")}
    created = CliRunner().invoke(cli, ["api-key", "create", "website phường", "--rate", "120/minute"], env=env)
    assert created.exit_code == 0, created.output
    secret = created.output.strip().splitlines()[-1]
    assert secret.startswith("tls_")
    listed = CliRunner().invoke(cli, ["api-key", "list"], env=env).output
    key_id = listed.split()[0]
    assert "website phường" in listed and secret not in listed and "120/minute" in listed
    assert CliRunner().invoke(cli, ["api-key", "revoke", key_id], env=env).exit_code == 0
    assert "thu hồi" in CliRunner().invoke(cli, ["api-key", "list"], env=env).output
    assert CliRunner().invoke(cli, ["api-key", "revoke", "khongco"], env=env).exit_code != 0
    bad = CliRunner().invoke(cli, ["api-key", "create", "x", "--rate", "nhanh lắm"], env=env)
    assert bad.exit_code != 0 and "không hợp lệ" in bad.output


def test_a_failing_answer_is_a_polite_500_without_a_trace(bundled_assistant, tmp_path, monkeypatch):
    from assistant.server import api_app

    client = TestClient(api_app(Settings(data_dir=tmp_path / "x"), bundled_assistant), raise_server_exceptions=False)
    monkeypatch.setattr(bundled_assistant, "ask", lambda *a, **k: 1 / 0)
    response = client.post("/api/v1/ask", json={"question": "quen mat khau vneid"})
    assert response.status_code == 500
    assert "Xin lỗi" in response.json()["detail"] and "Traceback" not in response.text
