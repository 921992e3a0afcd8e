"""A local stand-in for the Zalo OA platform, enforcing what its documentation and SDKs describe.

- `POST /v3.0/oa/message/cs`: `access_token` header; JSON {"recipient": {"user_id"}, "message":
  {"text"}} with text of 1–2,000 characters; failures are HTTP 200 with a non-zero `error`:
  -216 invalid token, -220 expired token, -32 too many calls, -201 bad parameters.
- `POST /v4/oa/access_token`: `secret_key` header (the app secret), form app_id, grant_type=
  refresh_token and the current refresh token, which works once; answers new access and
  refresh tokens with `expires_in` as a string. (The error code for a spent refresh token is
  not documented where we looked; the stand-in answers a generic error without a token.)
- `signed_event()` builds a webhook request the way the platform signs it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Form, Header, Request

APP_ID = "2553928453557884079"
APP_SECRET = "app-secret-thu-nghiem"
OA_SECRET = "oa-secret-thu-nghiem"


@dataclass
class Platform:
    access: str = "access-1"
    refresh: str = "refresh-1"
    expired: set[str] = field(default_factory=set)
    sent: list[dict[str, Any]] = field(default_factory=list)
    refreshes: int = 0
    busy_for: int = 0  # answer -32 to this many next calls
    calls: int = 0


def standin_app(platform: Platform) -> FastAPI:
    app = FastAPI()

    @app.post("/v3.0/oa/message/cs")
    async def send(request: Request, access_token: str = Header("", convert_underscores=False)) -> dict[str, Any]:
        platform.calls += 1
        if access_token in platform.expired:
            return {"error": -220, "message": "access_token is expired or removed"}
        if access_token != platform.access:
            return {"error": -216, "message": "Access token is invalid"}
        if platform.busy_for > 0:
            platform.busy_for -= 1
            return {"error": -32, "message": "Your application/OA reached limit call api"}
        try:
            body = json.loads(await request.body())
            user_id = body["recipient"]["user_id"]
            text = body["message"]["text"]
        except (ValueError, KeyError, TypeError):
            return {"error": -201, "message": "Parameters are invalid"}
        if not isinstance(user_id, str) or not isinstance(text, str) or not 1 <= len(text) <= 2000:
            return {"error": -201, "message": "Parameters are invalid"}
        platform.sent.append({"user_id": user_id, "text": text})
        return {"error": 0, "message": "Success",
                "data": {"message_id": secrets.token_hex(10), "user_id": user_id, "sent_time": str(int(time.time()))}}

    @app.post("/v4/oa/access_token")
    async def token(app_id: str = Form(""), grant_type: str = Form(""), refresh_token: str = Form(""),
                    secret_key: str = Header("", convert_underscores=False)) -> dict[str, Any]:
        if secret_key != APP_SECRET or app_id != APP_ID or grant_type != "refresh_token":
            return {"error": -1, "error_name": "Invalid parameter", "error_description": "bad app or secret"}
        if refresh_token != platform.refresh:
            return {"error": -1, "error_name": "Invalid refresh token",
                    "error_description": "refresh token is invalid or already used"}
        platform.refreshes += 1
        platform.expired.add(platform.access)
        platform.access = f"access-{platform.refreshes + 1}"
        platform.refresh = f"refresh-{platform.refreshes + 1}"  # single use: the old one is spent
        return {"access_token": platform.access, "refresh_token": platform.refresh, "expires_in": "90000"}

    return app


@contextlib.contextmanager
def running(platform: Platform) -> Iterator[str]:
    import uvicorn

    from tests.browser import free_port

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(standin_app(platform), host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def signed_event(text: str, user_id: str = "6142494823000000001", msg_id: str | None = None,
                 event_name: str = "user_send_text", secret: str = OA_SECRET) -> tuple[bytes, dict[str, str]]:
    timestamp = str(int(time.time() * 1000))
    event = {"event_name": event_name, "app_id": APP_ID, "sender": {"id": user_id}, "recipient": {"id": "3662729599"},
             "message": {"text": text, "msg_id": msg_id or secrets.token_hex(10)}, "timestamp": timestamp,
             "user_id_by_app": "979122185046046317"}
    body = json.dumps(event, ensure_ascii=False).encode()
    mac = hashlib.sha256(APP_ID.encode() + body + timestamp.encode() + secret.encode()).hexdigest()
    return body, {"X-ZEvent-Signature": f"mac={mac}", "Content-Type": "application/json"}
