"""The staff login through the real app: failures lock one address, and the lock says until when."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from assistant.auth import hash_password
from assistant.settings import Settings

PASSWORD = "mat-khau-quan-tri-thu-nghiem"


@pytest.fixture
def app(bundled_assistant, tmp_path):  # type: ignore[no-untyped-def]
    from assistant.ui.app import create_app

    settings = Settings(data_dir=tmp_path / "d", admin_password_hash=hash_password(PASSWORD), admin_max_failures=2)
    return create_app(settings, bundled_assistant)


def login(client: TestClient, password: str):  # type: ignore[no-untyped-def]
    return client.post("/quan-tri/login", data={"username": "admin", "password": password})


def test_failures_from_one_address_lock_that_address_only(app):
    stranger = TestClient(app, client=("203.0.113.9", 5000))
    staff = TestClient(app, client=("10.1.2.3", 5000))
    assert login(stranger, "doan-1").status_code == 400
    locked = login(stranger, "doan-2")
    assert locked.status_code == 200 and locked.json()["success"] is False, "the page reloads onto the notice"
    assert re.fullmatch(r"\d\d:\d\d", locked.json()["locked_until"])
    assert login(stranger, PASSWORD).json()["success"] is False, "even the right password waits out the lock"
    page = stranger.get("/quan-tri/")
    assert page.status_code == 429 and "tạm khóa đến " + locked.json()["locked_until"] in page.text
    assert int(page.headers["Retry-After"]) > 0
    assert stranger.get("/quan-tri", follow_redirects=True).status_code == 429

    assert login(staff, PASSWORD).json() == {"success": True}, "staff elsewhere are not locked out"
    assert staff.get("/quan-tri/").status_code == 200
    assert stranger.get("/").status_code == 200, "residents on that address still use the chat"


def test_lockouts_are_logged(app, caplog):
    client = TestClient(app, client=("198.51.100.4", 5000))
    with caplog.at_level("WARNING", logger="assistant.auth"):
        login(client, "a")
        login(client, "b")
    assert "staff login locked for 198.51.100.4 until" in caplog.text
