"""The Zalo Official Account channel (`/kenh/zalo`): residents ask in Zalo, answers come back as text.

What the OA platform does, as read from its documentation and official SDKs (not tried against
the real service):
- events arrive as a JSON POST to the webhook, signed in `X-ZEvent-Signature: mac=<hex>` where
  hex = SHA-256(app_id + raw body + body's `timestamp` + OA secret key); the platform wants a
  200 within about 2 s and retries otherwise, so we acknowledge first and answer afterwards, and
  answer a repeated `message.msg_id` only once;
- a reply is POST {api}/v3.0/oa/message/cs with an `access_token` header and
  {"recipient": {"user_id"}, "message": {"text"}}, at most 2,000 characters; failures come back
  as HTTP 200 with a non-zero `error` (-216 invalid token, -220 expired token, -32 rate limit);
- the access token (about 25 h) is refreshed at POST {oauth}/v4/oa/access_token with the app
  secret in a `secret_key` header; the refresh token is single-use, so the new pair is saved
  together and only one process refreshes at a time.
The resident's Zalo id is never logged or stored as such: a keyed hash stands for it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx
from fastapi import BackgroundTasks, FastAPI, Request
from fastapi.responses import JSONResponse

from assistant.api import BodyLimit
from assistant.conversation import Exchange
from assistant.conversation_store import ConversationStore
from assistant.errors import AssistantError
from assistant.models import Answer
from assistant.reply import without_marks
from assistant.settings import Settings
from assistant.sqlite_local import ThreadLocalSQLite

log = logging.getLogger(__name__)

TEXT_EVENT = "user_send_text"
MAX_TEXT = 2000
TOKEN_ERRORS = {-216, -220}  # invalid, expired or removed access token
RETRY_ERRORS = {-32}  # the app or OA reached its API call limit
RETRIES = 2
SEEN_FOR = 2 * 24 * 3600  # the platform retries for about an hour; keep event ids well beyond that
FAILED_REPLY = ("Xin lỗi, hệ thống đang bận nên chưa trả lời được. Bạn hãy hỏi lại sau ít phút "
                "hoặc hỏi tại bộ phận một cửa của UBND xã, phường.")


def signature(app_id: str, body: bytes, timestamp: str, oa_secret: str) -> str:
    return hashlib.sha256(app_id.encode() + body + timestamp.encode() + oa_secret.encode()).hexdigest()


def signature_ok(header: str, app_id: str, body: bytes, timestamp: str, oa_secret: str) -> bool:
    given = header.strip()
    given = given[4:] if given.lower().startswith("mac=") else given
    return bool(oa_secret) and hmac.compare_digest(given.lower(), signature(app_id, body, timestamp, oa_secret))


def user_ref(secret: str, user_id: str) -> str:
    """Stands for a Zalo user in logs and conversation ids; the id itself is never kept. Keyed with
    the OA secret, so nobody can tell from a log line which resident it was."""
    return "zalo-" + hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()[:32]


_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")


def plain_text(answer: Answer, limit: int = MAX_TEXT) -> str:
    """The reply as Zalo shows it: no Markdown, whole lines only, the top source as a link at the end."""
    text = _LINK.sub(r"\1: \2", answer.text)
    text = without_marks(text).replace("**", "").replace("__", "")
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    source = ""
    if answer.citations:
        top = answer.citations[0]
        source = f"\n\nNguồn: {top.title}\n{top.url}"
    room = limit - len(source)
    if len(text) > room:
        cut = "\n…(còn nữa, xem đầy đủ ở nguồn)"
        kept: list[str] = []
        for line in text.split("\n"):  # drop whole lines, never half a step
            if len("\n".join(kept + [line])) + len(cut) > room:
                break
            kept.append(line)
        text = "\n".join(kept).rstrip() + cut
    return text + source


@dataclass
class Tokens:
    access: str
    refresh: str
    expires_at: float


class ZaloState:
    """Tokens and the ids of events already answered, shared by every worker through SQLite."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # autocommit: the token refresh opens its own BEGIN IMMEDIATE to serialise workers
        self.db = ThreadLocalSQLite(path, [
            "CREATE TABLE IF NOT EXISTS tokens (one INTEGER PRIMARY KEY CHECK (one = 1), "
            "access TEXT, refresh TEXT, expires_at REAL, seed TEXT)",
            "CREATE TABLE IF NOT EXISTS seen (event TEXT PRIMARY KEY, at REAL)",
        ], timeout=30, autocommit=True)

    def first_time(self, event_id: str) -> bool:
        """True once per event id: the platform's retries and duplicates are answered only once."""
        now = time.time()
        db = self.db()
        db.execute("DELETE FROM seen WHERE at < ?", (now - SEEN_FOR,))
        return db.execute("INSERT OR IGNORE INTO seen(event, at) VALUES (?, ?)", (event_id, now)).rowcount == 1

    def tokens(self, settings: Settings) -> Tokens:
        """The pair saved by the last refresh; the settings' pair when none was saved since they were set.

        `seed` remembers which configured refresh token the saved pair descends from, so staff who
        grant access again and set a new ASSISTANT_ZALO_REFRESH_TOKEN are not overruled by a spent pair."""
        row = self.db().execute("SELECT access, refresh, expires_at, seed FROM tokens WHERE one = 1").fetchone()
        if row is None or row[3] != settings.zalo_refresh_token:
            return Tokens(settings.zalo_access_token, settings.zalo_refresh_token, 0.0)
        return Tokens(row[0], row[1], row[2])

    def save_tokens(self, tokens: Tokens, settings: Settings) -> None:
        self.db().execute("INSERT INTO tokens(one, access, refresh, expires_at, seed) VALUES (1, ?, ?, ?, ?) "
                          "ON CONFLICT(one) DO UPDATE SET access = excluded.access, refresh = excluded.refresh, "
                          "expires_at = excluded.expires_at, seed = excluded.seed",
                          (tokens.access, tokens.refresh, tokens.expires_at, settings.zalo_refresh_token))


class ZaloError(AssistantError):
    """The OA API refused a call; the message has its error code."""


class ZaloClient:
    def __init__(self, settings: Settings, state: ZaloState, http: httpx.Client | None = None,
                 sleep: Any = time.sleep) -> None:
        self.settings, self.state = settings, state
        self.http = http or httpx.Client(timeout=10, trust_env=False)
        self.sleep = sleep

    def send_text(self, user_id: str, text: str) -> dict[str, Any]:
        """Send one message; refresh an expired token once, wait out a rate limit a couple of times."""
        tokens = self.state.tokens(self.settings)
        if tokens.expires_at and tokens.expires_at - time.time() < 300 and tokens.refresh:
            tokens = self.refresh(tokens.access)
        refreshed = False
        for attempt in range(RETRIES + 2):
            reply = self._post_message(tokens.access, user_id, text)
            code = int(reply.get("error", -1))
            if code == 0:
                return reply
            if code in TOKEN_ERRORS and not refreshed and tokens.refresh:
                tokens, refreshed = self.refresh(tokens.access), True
                continue
            if code in RETRY_ERRORS and attempt < RETRIES:
                self.sleep(2 ** attempt)
                continue
            raise ZaloError(f"Zalo OA từ chối gửi tin (mã {code}: {reply.get('message', '')}).")
        raise ZaloError("Zalo OA không nhận tin sau nhiều lần thử.")

    def _post_message(self, access: str, user_id: str, text: str) -> dict[str, Any]:
        try:
            response = self.http.post(f"{self.settings.zalo_api_url}/v3.0/oa/message/cs",
                                      headers={"access_token": access},
                                      json={"recipient": {"user_id": user_id}, "message": {"text": text[:MAX_TEXT]}})
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ZaloError(f"Không gọi được Zalo OA ({type(exc).__name__}).") from exc
        if response.status_code != 200 or not isinstance(data, dict) or "error" not in data:
            raise ZaloError(f"Zalo OA trả lời bất thường (HTTP {response.status_code}).")
        return data

    def refresh(self, failed_access: str) -> Tokens:
        """New tokens, made by exactly one process: the others wait and use what it saved."""
        db = self.state.db()
        db.execute("BEGIN IMMEDIATE")  # the refresh token works once: serialise refreshes across workers
        try:
            tokens = self.state.tokens(self.settings)
            if tokens.access != failed_access and tokens.expires_at - time.time() > 300:
                db.execute("COMMIT")
                return tokens  # another worker refreshed meanwhile
            try:
                response = self.http.post(
                    f"{self.settings.zalo_oauth_url}/v4/oa/access_token",
                    headers={"secret_key": self.settings.zalo_app_secret},
                    data={"refresh_token": tokens.refresh, "app_id": self.settings.zalo_app_id,
                          "grant_type": "refresh_token"})
                data = response.json()
            except (httpx.HTTPError, ValueError) as exc:
                raise ZaloError(f"Không làm mới được mã truy cập Zalo ({type(exc).__name__}).") from exc
            if not data.get("access_token") or not data.get("refresh_token"):
                raise ZaloError("Zalo không cấp mã truy cập mới (mã làm mới hết hạn hoặc sai): hãy cấp lại "
                                f"quyền cho ứng dụng và đặt ASSISTANT_ZALO_REFRESH_TOKEN ({data.get('error', '')}).")
            fresh = Tokens(data["access_token"], data["refresh_token"], time.time() + float(data.get("expires_in", 3600)))
            self.state.save_tokens(fresh, self.settings)
            db.execute("COMMIT")
            log.info("zalo access token refreshed")
            return fresh
        except BaseException:
            db.execute("ROLLBACK")
            raise


class ZaloChannel:
    """Turns a verified webhook event into an answer sent back through the OA."""

    def __init__(self, settings: Settings, assistant: Any, conversations: ConversationStore,
                 client: ZaloClient | None = None) -> None:
        self.settings, self.assistant, self.conversations = settings, assistant, conversations
        self.state = ZaloState(settings.zalo_state_path)
        self.client = client or ZaloClient(settings, self.state)

    @property
    def enabled(self) -> bool:
        return bool(self.settings.zalo_app_id and self.settings.zalo_oa_secret)

    def accept(self, body: bytes, signature_header: str) -> tuple[int, str, dict[str, Any] | None]:
        """Status code, note and the event to answer (None when there is nothing to answer)."""
        if not self.enabled:
            return 404, "kênh Zalo chưa được cấu hình", None
        try:
            event = json.loads(body)
            timestamp = str(event.get("timestamp", ""))
        except (ValueError, AttributeError):
            return 400, "nội dung không phải JSON", None
        if not signature_ok(signature_header, self.settings.zalo_app_id, body, timestamp, self.settings.zalo_oa_secret):
            log.warning("zalo webhook: bad signature refused")
            return 401, "chữ ký không hợp lệ", None
        if str(event.get("app_id", self.settings.zalo_app_id)) != self.settings.zalo_app_id:
            return 401, "sai ứng dụng", None
        if event.get("event_name") != TEXT_EVENT:
            return 200, "bỏ qua sự kiện", None
        message, sender = event.get("message") or {}, event.get("sender") or {}
        if not isinstance(message, dict) or not isinstance(sender, dict) or not sender.get("id"):
            return 400, "thiếu người gửi hoặc tin nhắn", None
        event_id = str(message.get("msg_id") or f"{sender['id']}:{timestamp}")
        if not self.state.first_time(event_id):
            return 200, "đã trả lời", None
        return 200, "đã nhận", event

    def answer(self, event: dict[str, Any]) -> None:
        """Answer one text event (after the webhook has been acknowledged); failures are logged, not raised."""
        user_id = str(event["sender"]["id"])
        ref = user_ref(self.settings.zalo_oa_secret, user_id)
        question = str((event.get("message") or {}).get("text", ""))[: self.settings.max_question_chars]
        try:
            history = self.conversations.history(ref) or []
            answer = self.assistant.ask(question, history)
            self.conversations.save(ref, history + [Exchange(answer.standalone or "", answer)])
            text = plain_text(answer)
        except Exception:
            log.exception("zalo: answering %s failed", ref)
            text = FAILED_REPLY
        try:
            self.client.send_text(user_id, text)
        except AssistantError as exc:
            log.error("zalo: reply to %s not sent: %s", ref, exc)


def build_channels_app(channel: ZaloChannel) -> FastAPI:
    """The chat channels, mounted at /kenh; bodies are bounded by the same guard as the API's."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.post("/zalo")
    async def webhook(request: Request, tasks: BackgroundTasks) -> JSONResponse:
        body = await request.body()
        # SQLite may wait on another worker's token refresh: keep that off the event loop.
        status, note, event = await anyio.to_thread.run_sync(
            channel.accept, body, request.headers.get("X-ZEvent-Signature", ""))
        if event is not None:
            tasks.add_task(channel.answer, event)  # after the 200: the platform wants it within ~2 s
        return JSONResponse({"ok": status == 200, "note": note}, status_code=status)

    app.add_middleware(BodyLimit, limit=channel.settings.api_max_body_bytes)
    return app
