"""The JSON API under /api/v1: ask, guides, health, and its OpenAPI docs (served without a CDN).

One `ask` answer has the fields of an `assistant ask --json` line (../shared/CONTRACT.md) plus
`conversation_id`, so a ward website, a city app or a chat channel gets exactly what the command
line gives. Follow-ups go through the id; conversations live server-side (conversation_store).
"""

from __future__ import annotations

import logging
import os
from typing import Any, Literal

import anyio
from fastapi import Depends, FastAPI, HTTPException, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel, Field

from assistant.api_keys import ApiKeys
from assistant.conversation import Exchange
from assistant.conversation_store import ConversationStore, new_id, valid_id
from assistant.errors import AssistantError
from assistant.models import Answer
from assistant.ratelimit import RateLimiter
from assistant.settings import Settings

log = logging.getLogger(__name__)

PREFIX = "/api/v1"


class AskRequest(BaseModel):
    question: str = Field(..., description="Câu hỏi của người dân, có dấu hoặc không dấu.",
                          examples=["quen mat khau vneid"])
    conversation_id: str | None = Field(
        None, description="Mã hội thoại trả về ở câu trước, để hỏi tiếp (“còn nếu…”). Bỏ trống khi bắt đầu."
    )


class CitationOut(BaseModel):
    n: int
    source: str = Field(..., examples=["corpus/vneid/kich-hoat-tai-khoan.md"])
    title: str
    section: str
    url: str
    text: str = Field(..., description="The exact cited passage, as stored in the index.")
    score: float


class AskResponse(BaseModel):
    question: str
    status: Literal["answered", "no_answer", "refused"]
    answer: str = Field(..., description="The text shown to the person (numbered steps, [n] citation marks).")
    citations: list[CitationOut]
    unsure: bool = Field(False, description="Answered, though the guides only just seemed to cover the question; "
                                            "the answer opens with a word of doubt.")
    conversation_id: str = Field(..., description="Send it back with the next question to ask a follow-up.")


class GuideOut(BaseModel):
    source: str
    title: str
    topic: str
    url: str
    source_name: str
    checked: str


class Health(BaseModel):
    ok: bool
    version: str | None = None
    chunks: int | None = None
    worker: int = Field(..., description="Process id of the worker that answered.")
    warm: bool = Field(False, description="Whether the guides' sentences are embedded yet (answers are slower before).")
    error: str | None = None


class ErrorOut(BaseModel):
    detail: str


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "Empty, too long or malformed question"},
    401: {"model": ErrorOut, "description": "An API key is required (X-API-Key)"},
    403: {"model": ErrorOut, "description": "Unknown or revoked API key"},
    413: {"model": ErrorOut, "description": "Request body too large"},
    429: {"model": ErrorOut, "description": "Too many questions; see Retry-After"},
    500: {"model": ErrorOut, "description": "This question could not be answered; the others are not affected"},
    503: {"model": ErrorOut, "description": "No index yet, or the store is unreachable"},
}


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Refuse request bodies over `limit` bytes with 413, whether or not they declare a length."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._too_large(send)
            return
        seen, too_large, replaced = 0, False, False

        async def counted() -> dict[str, Any]:
            nonlocal seen, too_large
            message: dict[str, Any] = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                too_large = True
                raise _TooLarge
            return message

        async def reply(message: dict[str, Any]) -> None:
            # Whatever the app makes of a body cut short (FastAPI says 400), the caller gets the 413.
            nonlocal replaced
            if not too_large:
                await send(message)
            elif not replaced:
                replaced = True
                await self._too_large(send)

        try:
            await self.app(scope, counted, reply)
        except _TooLarge:
            pass
        if too_large and not replaced:
            await self._too_large(send)

    async def _too_large(self, send: Any) -> None:
        response = JSONResponse({"detail": f"Nội dung yêu cầu quá lớn (tối đa {self.limit} byte)."}, status_code=413)
        # a plain JSONResponse only sends; it never reads `receive`
        await response({"type": "http"}, None, send)  # type: ignore[arg-type]


def answer_json(answer: Answer, conversation_id: str) -> dict[str, Any]:
    return {**answer.to_json(), "conversation_id": conversation_id}


class Caller:
    """Who is asking: an API key (when given or required) or else the client address; rate-limited."""

    def __init__(self, settings: Settings, keys: ApiKeys, limiter: RateLimiter) -> None:
        self.settings, self.keys, self.limiter = settings, keys, limiter

    def __call__(self, request: Request,
                 key: str | None = Security(APIKeyHeader(name="X-API-Key", auto_error=False))) -> str:
        rate, caller = "", f"addr:{request.client.host if request.client else 'unknown'}"
        if key:
            found = self.keys.find(key)
            if found is None:
                raise HTTPException(403, "Khóa API không hợp lệ hoặc đã bị thu hồi.")
            rate, caller = found.rate, f"key:{found.id}"
        elif self.settings.api_require_key:
            raise HTTPException(401, "Cần khóa API (tiêu đề X-API-Key); xin khóa từ cán bộ quản trị.")
        verdict = self.limiter.hit(caller, rate)
        if not verdict.allowed:
            raise HTTPException(429, f"Bạn hỏi quá nhanh; hãy thử lại sau {verdict.retry_after} giây.",
                                headers={"Retry-After": str(verdict.retry_after)})
        return caller


def health(assistant: Any) -> JSONResponse:
    """The one health check (served at /healthz and /api/v1/healthz): 503 while there is no index."""
    try:
        version = assistant.version()
    except AssistantError as exc:
        return JSONResponse({"ok": False, "error": str(exc), "worker": os.getpid()}, status_code=503)
    return JSONResponse({"ok": True, "version": version.id, "chunks": len(version.chunks), "worker": os.getpid(),
                         "warm": bool(getattr(assistant, "warmed", False))})


def build_api(settings: Settings, assistant: Any, conversations: ConversationStore | None = None) -> FastAPI:
    """The /api/v1 application, to mount on a page server or to serve alone (`assistant serve-api`)."""
    api = FastAPIOffline(
        title="Trợ lý số API", version="1", docs_url="/docs", redoc_url=None,
        description="Hỏi đáp về VNeID, dịch vụ công trực tuyến và thanh toán không dùng tiền mặt, "
                    "trả lời từ các hướng dẫn đã kiểm tra, kèm nguồn trích dẫn.",
    )
    conversations = conversations or ConversationStore(settings.conversations_path, settings.conversation_ttl,
                                                       settings.conversation_max)
    caller = Caller(settings, ApiKeys(settings.api_keys_path), RateLimiter(settings.api_rate_limit,
                                                                           settings.api_rate_storage))

    @api.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return JSONResponse({"detail": f"Yêu cầu không hợp lệ: {where or 'nội dung'} — {first.get('msg', 'sai định dạng')}. "
                                       'Gửi JSON dạng {"question": "…"}.'}, status_code=400)

    # Answers are CPU work: a few at a time, first come first served, instead of forty threads
    # fighting over two cores (which made the slowest answers ten times slower than the median).
    answering = anyio.CapacityLimiter(settings.api_concurrency)

    @api.post("/ask", response_model=AskResponse, responses=ERRORS, summary="Hỏi một câu")
    async def ask(body: AskRequest, _: str = Depends(caller)) -> dict[str, Any]:
        return await anyio.to_thread.run_sync(answer_one, body, limiter=answering)

    def answer_one(body: AskRequest) -> dict[str, Any]:
        question = body.question.strip()
        if not question:
            raise HTTPException(400, "Câu hỏi trống.")
        if len(question) > settings.max_question_chars:
            raise HTTPException(400, f"Câu hỏi dài quá {settings.max_question_chars} ký tự; hãy hỏi ngắn hơn.")
        given = body.conversation_id or ""
        history = conversations.history(given) if valid_id(given) else None
        conversation_id = given if history is not None else new_id()
        try:
            answer = assistant.ask(question, history or [])
        except AssistantError as exc:
            raise HTTPException(503, f"Hệ thống đang gặp sự cố: {exc}") from None
        except Exception:  # one bad question must not show a trace or cost others their answers
            log.exception("api answer failed")
            raise HTTPException(500, "Xin lỗi, có lỗi khi xử lý câu hỏi này. Hãy thử lại hoặc hỏi cách khác.") from None
        conversations.save(conversation_id, (history or []) + [Exchange(answer.standalone or "", answer)])
        return answer_json(answer, conversation_id)

    @api.get("/guides", response_model=list[GuideOut], responses={503: ERRORS[503]}, summary="Danh sách hướng dẫn")
    def guides() -> list[dict[str, str]]:
        try:
            version = assistant.version()
        except AssistantError as exc:
            raise HTTPException(503, str(exc)) from None
        seen: dict[str, dict[str, str]] = {}
        for c in version.chunks:
            seen.setdefault(c.source, {"source": c.source, "title": c.title, "topic": c.topic, "url": c.url,
                                       "source_name": c.source_name, "checked": c.checked})
        return sorted(seen.values(), key=lambda g: g["source"])

    @api.get("/healthz", response_model=Health, summary="Tình trạng máy chủ")
    def healthz() -> JSONResponse:
        return health(assistant)

    origins = [o.strip() for o in settings.api_cors_origins.split(",") if o.strip()]
    if origins:
        api.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST"],
                           allow_headers=["Content-Type", "X-API-Key"], max_age=600)
    api.add_middleware(BodyLimit, limit=settings.api_max_body_bytes)
    return api
