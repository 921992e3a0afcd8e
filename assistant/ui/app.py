"""One web app: resident chat at `/`, counter mode at `/quay`, staff admin at `/quan-tri`, step cards."""

from __future__ import annotations

import logging
import os
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from assistant.errors import AssistantError
from assistant.ratelimit import RateLimiter
from assistant.read_aloud import head as read_aloud_head
from assistant.server import add_api
from assistant.settings import Settings
from assistant.ui.staff_login import StaffLogin, admin_auth, guard_from_settings

log = logging.getLogger(__name__)


class SpeechRequest(BaseModel):
    text: str = Field(..., max_length=4000)


CSS = """
:root { --ts-size: 18px; }
.gradio-container { max-width: 960px !important; margin: auto; }
.gradio-container .prose, .gradio-container .message, #chat .message-content { font-size: var(--ts-size) !important; line-height: 1.55; }
.citation { margin: .4em 0; padding: .3em .5em; border: 1px solid #666; border-radius: 6px; }
.citation summary { cursor: pointer; font-size: .95em; }
.passage { margin: .4em 0; }
#counter-answer, #counter-answer .prose { font-size: 30px !important; line-height: 1.5; }
#counter-question textarea { font-size: 26px !important; }
#counter-card a { font-size: 24px; font-weight: bold; }
@media (max-width: 480px) { .gradio-container { padding: 4px !important; } }
"""

def create_app(settings: Settings, assistant: Any | None = None) -> Any:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr
    from fastapi import FastAPI, Query
    from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse

    from assistant.feedback import FeedbackStore
    from assistant.pipeline import Assistant
    from assistant.stepcard import StepCard, render_html, render_pdf
    from assistant.ui.admin import build_admin_page
    from assistant.ui.counter import build_counter_page
    from assistant.ui.resident import build_resident_page

    assistant = assistant or Assistant.from_settings(settings)
    feedback = FeedbackStore(settings.data_dir / "feedback.sqlite3")
    app = FastAPI(title="Trợ lý số", docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        try:
            version = assistant.retriever.store.current()
        except AssistantError as exc:
            return {"ok": False, "error": str(exc)}
        return {"ok": True, "version": version.id, "chunks": len(version.chunks)}

    add_api(app, settings, assistant)  # before the pages: Gradio's mount at "/" would take every path

    def card_for(chunk: str, note: str) -> StepCard | None:
        version = assistant.retriever.store.current()
        index = version.by_id.get(chunk)
        return None if index is None else StepCard.from_chunk(version.chunks[index], note)

    missing = ("<!doctype html><meta charset='utf-8'><p>Không tìm thấy hướng dẫn này — có thể hướng dẫn vừa được "
               "cập nhật. Hãy hỏi lại câu hỏi để tạo thẻ mới.</p>")

    @app.get("/the-buoc", response_class=HTMLResponse)
    def step_card(chunk: str = Query(..., max_length=64), note: str = Query("", max_length=300)) -> HTMLResponse:
        card = card_for(chunk, note)
        return HTMLResponse(missing, status_code=404) if card is None else HTMLResponse(render_html(card))

    @app.get("/the-buoc.pdf")
    def step_card_pdf(chunk: str = Query(..., max_length=64), note: str = Query("", max_length=300)) -> Response:
        card = card_for(chunk, note)
        if card is None:
            return HTMLResponse(missing, status_code=404)
        return Response(render_pdf(card), media_type="application/pdf",
                        headers={"Content-Disposition": 'attachment; filename="the-huong-dan.pdf"'})

    speech_limit = RateLimiter("20/minute")

    @app.post("/nghe", include_in_schema=False)
    def read_aloud(request: Request, body: SpeechRequest) -> Response:
        """WAV of an answer read aloud, for browsers without a Vietnamese voice (espeak-ng, cached)."""
        from assistant.speech import SpeechUnavailable, synthesize

        verdict = speech_limit.hit(request.client.host if request.client else "unknown")
        if not verdict.allowed:
            return JSONResponse({"detail": "Bạn bấm nghe quá nhiều lần; hãy thử lại sau ít phút."}, status_code=429,
                                headers={"Retry-After": str(verdict.retry_after)})
        try:
            path = synthesize(body.text, settings.data_dir / "cache" / "speech")
        except ValueError as exc:
            return JSONResponse({"detail": str(exc)}, status_code=400)
        except SpeechUnavailable as exc:
            return JSONResponse({"detail": str(exc)}, status_code=503)
        return FileResponse(path, media_type="audio/wav")

    # People type and links write the pages without the trailing slash Gradio mounts them under.
    for page in ("/quay", "/quan-tri"):
        app.add_api_route(page, lambda page=page: RedirectResponse(page + "/", status_code=307), methods=["GET"],
                          include_in_schema=False)

    auth, message = admin_auth(settings)
    mount = dict(css=CSS, footer_links=[], ssr_mode=False, head=read_aloud_head())
    app = gr.mount_gradio_app(app, build_admin_page(settings, feedback), path="/quan-tri", auth=auth,
                              auth_message=message, **mount)
    app = gr.mount_gradio_app(app, build_counter_page(assistant), path="/quay", **mount)
    app = gr.mount_gradio_app(app, build_resident_page(assistant, feedback), path="/", **mount)
    app.add_middleware(StaffLogin, guard=guard_from_settings(settings))
    return app
