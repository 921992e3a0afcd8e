"""The staff login at /quan-tri: the password check, and a lockout per address that says until when.

Gradio's login form shows "Incorrect credentials" on a 400 and reloads the page on a 200. So a
failure that starts a lockout, and every attempt while locked, answers 200 with success false:
the page reloads and this middleware serves the lock notice in its place.
"""

from __future__ import annotations

import asyncio
import html
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse

from assistant.auth import LoginGuard, verify_password
from assistant.settings import Settings

FIRST_RUN = (
    "Chưa đặt mật khẩu quản trị. Chạy `assistant admin-password` để tạo mã băm, rồi đặt biến môi trường "
    "ASSISTANT_ADMIN_PASSWORD_HASH và khởi động lại."
)
USERNAMES = ("admin", "quan-tri", "quantri")


def admin_auth(settings: Settings) -> tuple[Any, str]:
    """The password check for Gradio's login form (off the event loop: PBKDF2 takes a while), and its message."""
    stored = settings.admin_password_hash
    plain = "" if settings.production else settings.admin_password

    def matches(username: str, password: str) -> bool:
        ok = verify_password(password, stored) if stored else bool(plain) and password == plain
        return ok and username.strip().lower() in USERNAMES

    async def check(username: str, password: str) -> bool:
        if not (stored or plain):
            return False
        return await asyncio.to_thread(matches, username, password)

    if not (stored or plain):
        return check, FIRST_RUN
    return check, "Đăng nhập quản trị (tên đăng nhập: admin)."


def guard_from_settings(settings: Settings) -> LoginGuard:
    return LoginGuard(limit=settings.admin_max_failures, global_limit=settings.admin_global_failures,
                      lockout=settings.admin_lockout_minutes * 60)


def locked_message(until: float) -> str:
    return (f"Đăng nhập quản trị đang tạm khóa đến {time.strftime('%H:%M', time.localtime(until))} "
            "vì nhập sai mật khẩu nhiều lần. Hãy thử lại sau giờ đó.")


def locked_page(until: float) -> str:
    return ("<!doctype html><html lang='vi'><meta charset='utf-8'><meta name='viewport' content='width=device-width'>"
            "<title>Tạm khóa đăng nhập</title><body style='font:20px/1.5 sans-serif;max-width:40em;margin:2em auto;"
            f"padding:0 1em'><h1>Tạm khóa đăng nhập</h1><p role='alert'>{html.escape(locked_message(until))}</p>"
            "<p>Nếu bạn là cán bộ quản trị và không nhớ mật khẩu, hãy nhờ người quản lý máy chủ đặt lại "
            "(<code>assistant admin-password</code>).</p></body></html>")


class StaffLogin:
    """ASGI middleware for paths under `prefix`; everything else passes untouched (no cost to residents)."""

    def __init__(self, app: Any, guard: LoginGuard, prefix: str = "/quan-tri") -> None:
        self.app, self.guard, self.prefix = app, guard, prefix

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == self.prefix or path.startswith(self.prefix + "/")):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        address = request.client.host if request.client else "unknown"
        until = self.guard.locked_until(address)
        login = request.method == "POST" and path.rstrip("/") == f"{self.prefix}/login"
        if login:
            if until is not None:
                await self._locked_json(until)(scope, receive, send)
                return
            status: list[int] = []

            async def watch(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    status.append(message["status"])
                    if message["status"] == 400:  # hold the reply: the failure may start a lockout
                        return
                if status and status[0] == 400:
                    return
                await send(message)

            await self.app(scope, receive, watch)
            if status and status[0] == 400:
                until = self.guard.failed(address)
                await asyncio.sleep(self.guard.delay)  # slows guessing even before the lockout
                reply = self._locked_json(until) if until is not None else JSONResponse(
                    {"detail": "Incorrect credentials."}, status_code=400)
                await reply(scope, receive, send)
            elif status and status[0] == 200:
                self.guard.succeeded(address)
            return
        if until is not None and request.method == "GET" and path.rstrip("/") == self.prefix:
            retry = str(max(1, int(until - time.time())))
            await HTMLResponse(locked_page(until), status_code=429, headers={"Retry-After": retry})(scope, receive, send)
            return
        await self.app(scope, receive, send)

    @staticmethod
    def _locked_json(until: float) -> JSONResponse:
        return JSONResponse({"success": False, "locked_until": time.strftime("%H:%M", time.localtime(until)),
                             "detail": locked_message(until)})
