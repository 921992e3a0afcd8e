"""The Zalo OA channel against a local stand-in of the platform (tests/zalo_standin.py)."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from assistant.models import Answer, Citation
from assistant.settings import Settings
from assistant.zalo import MAX_TEXT, plain_text, signature_ok
from tests.zalo_standin import APP_ID, APP_SECRET, OA_SECRET, Platform, running, signed_event

USER = "6142494823000000001"


@pytest.fixture
def zalo(bundled_assistant, tmp_path):  # type: ignore[no-untyped-def]
    """(client of our server, the stand-in platform's state)."""
    from assistant.server import api_app

    platform = Platform()
    with running(platform) as url:
        settings = Settings(data_dir=tmp_path / "zdata", zalo_app_id=APP_ID, zalo_app_secret=APP_SECRET,
                            zalo_oa_secret=OA_SECRET, zalo_access_token=platform.access,
                            zalo_refresh_token=platform.refresh, zalo_api_url=url, zalo_oauth_url=url)
        yield TestClient(api_app(settings, bundled_assistant)), platform


def test_a_text_event_is_answered_with_plain_steps_and_a_source_link(zalo):
    client, platform = zalo
    body, headers = signed_event("Làm sao để kích hoạt tài khoản VNeID?")
    response = client.post("/kenh/zalo", content=body, headers=headers)
    assert response.status_code == 200
    [sent] = platform.sent
    assert sent["user_id"] == USER
    text = sent["text"]
    assert "\n1. " in text and "\n2. " in text, text
    assert "**" not in text and "[1]" not in text
    assert "\nNguồn: " in text and "https://" in text.rsplit("Nguồn: ", 1)[1]
    assert len(text) <= MAX_TEXT


def test_a_bad_signature_is_rejected_and_nothing_is_sent(zalo):
    client, platform = zalo
    body, headers = signed_event("quen mat khau vneid", secret="doan-bua")
    assert client.post("/kenh/zalo", content=body, headers=headers).status_code == 401
    good_body, good_headers = signed_event("quen mat khau vneid")
    tampered = good_body.replace("quen".encode(), "QUEN".encode())
    assert client.post("/kenh/zalo", content=tampered, headers=good_headers).status_code == 401
    assert client.post("/kenh/zalo", content=good_body).status_code == 401  # no signature at all
    assert platform.sent == []


def test_duplicate_event_ids_are_answered_once(zalo):
    client, platform = zalo
    body, headers = signed_event("quen mat khau vneid", msg_id="msg-lap-lai-1")
    assert [client.post("/kenh/zalo", content=body, headers=headers).status_code for _ in range(3)] == [200] * 3
    assert len(platform.sent) == 1


def test_an_expired_token_is_refreshed_and_the_new_pair_kept(zalo):
    client, platform = zalo
    platform.expired.add(platform.access)  # the token in the settings has expired
    for text in ("quen mat khau vneid", "quên passcode vneid"):
        body, headers = signed_event(text)
        assert client.post("/kenh/zalo", content=body, headers=headers).status_code == 200
    assert len(platform.sent) == 2
    assert platform.refreshes == 1, "one refresh, then the saved pair is used"


def test_a_refresh_that_fails_is_reported_not_raised(zalo, caplog):
    client, platform = zalo
    platform.expired.add(platform.access)
    platform.refresh = "da-doi-o-noi-khac"  # the refresh token in the settings was spent elsewhere
    body, headers = signed_event("quen mat khau vneid")
    with caplog.at_level(logging.ERROR, logger="assistant.zalo"):
        assert client.post("/kenh/zalo", content=body, headers=headers).status_code == 200
    assert platform.sent == []
    assert "ASSISTANT_ZALO_REFRESH_TOKEN" in caplog.text


def test_a_rate_limited_send_is_retried(zalo, monkeypatch):
    client, platform = zalo
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    platform.busy_for = 2
    body, headers = signed_event("quen mat khau vneid")
    client.post("/kenh/zalo", content=body, headers=headers)
    assert len(platform.sent) == 1


def test_follow_ups_keep_the_conversation_per_user(zalo):
    client, platform = zalo
    for text in ("Làm sao để kích hoạt tài khoản VNeID?", "bước 2 là gì?"):
        body, headers = signed_event(text)
        client.post("/kenh/zalo", content=body, headers=headers)
    assert platform.sent[1]["text"].startswith("Bước 2:")


def test_other_events_are_acknowledged_and_ignored(zalo):
    client, platform = zalo
    for name in ("user_send_image", "oa_send_text", "follow", "user_seen_message"):
        body, headers = signed_event("x", event_name=name)
        assert client.post("/kenh/zalo", content=body, headers=headers).status_code == 200
    assert platform.sent == []


def test_the_zalo_user_id_is_never_logged_or_stored(zalo, caplog, tmp_path):
    client, platform = zalo
    platform.busy_for = 10  # force the failure path, which logs
    body, headers = signed_event("so dien thoai 0912345678 quen mat khau vneid")
    with caplog.at_level(logging.DEBUG):
        client.post("/kenh/zalo", content=body, headers=headers)
    assert USER not in caplog.text
    for path in (tmp_path / "zdata").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert USER.encode() not in data and b"0912345678" not in data, path


def test_the_channel_is_off_until_configured(bundled_assistant, tmp_path):
    from assistant.server import api_app

    client = TestClient(api_app(Settings(data_dir=tmp_path / "off"), bundled_assistant))
    body, headers = signed_event("quen mat khau vneid")
    assert client.post("/kenh/zalo", content=body, headers=headers).status_code == 404


def test_plain_text_cuts_whole_lines_and_keeps_the_source():
    steps = "\n".join(f"{i}. Bước thứ {i}: " + "chữ " * 30 for i in range(1, 40))
    answer = Answer("q", "answered", f"**Tóm tắt** [1]\n\n{steps}",
                    [Citation(1, "corpus/a.md", "Hướng dẫn A", "Các bước", "https://example.gov.vn/a", "…", 0.9)])
    text = plain_text(answer)
    assert len(text) <= MAX_TEXT
    assert text.endswith("Nguồn: Hướng dẫn A\nhttps://example.gov.vn/a")
    body = text.split("\n…", 1)[0]
    assert all(line.rstrip().endswith("chữ") or not line[:1].isdigit() for line in body.splitlines()), "no step cut mid-way"
    assert "**" not in text and "[1]" not in text


def test_signature_formula_matches_the_documented_one():
    import hashlib

    body, ts = b'{"a":1}', "1699003881354"
    mac = hashlib.sha256(f"{APP_ID}{body.decode()}{ts}{OA_SECRET}".encode()).hexdigest()
    assert signature_ok(f"mac={mac}", APP_ID, body, ts, OA_SECRET)
    assert not signature_ok(f"mac={mac}", APP_ID, body, ts, "khac")
    assert not signature_ok("", APP_ID, body, ts, OA_SECRET)


def test_an_oversized_event_is_refused_before_it_is_read(zalo):
    client, platform = zalo
    body, headers = signed_event("x" * 40_000)
    assert client.post("/kenh/zalo", content=body, headers=headers).status_code == 413
    assert platform.sent == []


def test_a_new_refresh_token_in_the_settings_wins_over_a_spent_saved_pair(tmp_path):
    from assistant.zalo import Tokens, ZaloState

    state = ZaloState(tmp_path / "z.sqlite3")
    first = Settings(data_dir=tmp_path, zalo_access_token="a1", zalo_refresh_token="r1")
    state.save_tokens(Tokens("a2", "r2", 123.0), first)
    assert state.tokens(first) == Tokens("a2", "r2", 123.0), "the refreshed pair is used"
    regranted = Settings(data_dir=tmp_path, zalo_access_token="a9", zalo_refresh_token="r9")
    assert state.tokens(regranted) == Tokens("a9", "r9", 0.0), "staff granted access again"
