"""One web app: resident chat at `/`, counter mode at `/quay`, staff admin at `/quan-tri`, step cards."""

from __future__ import annotations

import logging
import os
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

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
/* Accessibility (checked by tests/test_accessibility.py with axe-core): Gradio's default theme puts white text
   on orange-500/red-500 buttons (2.8:1, 3.8:1) and grey-400 subdued text (1.9:1); these colours reach 4.5:1.
   `html:root` and `:root body.dark` outrank the theme's own `:root` and `:root .dark` rules. */
html:root, :root body.dark {  /* the same buttons in light and dark mode */
  --button-primary-background-fill: #c2410c; --button-primary-background-fill-hover: #9a3412;
  --button-primary-border-color: #c2410c; --button-primary-border-color-hover: #9a3412;
  --button-primary-text-color: #ffffff; --button-primary-text-color-hover: #ffffff;
  --button-cancel-background-fill: #b91c1c; --button-cancel-background-fill-hover: #991b1b;
  --button-cancel-border-color: #b91c1c; --button-cancel-border-color-hover: #991b1b;
  --button-cancel-text-color: #ffffff; --button-cancel-text-color-hover: #ffffff;
}
html:root {
  --color-accent: #c2410c;
  --body-text-color-subdued: #52525b; --block-info-text-color: #52525b; --block-label-text-color: #52525b;
  --block-title-text-color: #52525b; --input-placeholder-color: #6b6b73;
  --link-text-color: #1d4ed8; --link-text-color-hover: #1e3a8a; --link-text-color-visited: #6b21a8;
  --link-text-color-active: #1e3a8a;
  --ts-focus: #1d4ed8;
}
:root body.dark {
  --color-accent: #fb923c;
  --body-text-color-subdued: #d4d4d8; --block-info-text-color: #d4d4d8; --block-label-text-color: #d4d4d8;
  --block-title-text-color: #d4d4d8; --input-placeholder-color: #a1a1aa;
  --link-text-color: #93c5fd; --link-text-color-hover: #bfdbfe; --link-text-color-visited: #d8b4fe;
  --link-text-color-active: #bfdbfe;
  --ts-focus: #93c5fd;
}
/* High contrast (the "Tương phản cao" switch, assistant/ui/display.py): black on white, in light and dark mode
   alike, every text at 7:1 or more (WCAG AAA; checked by tests/test_accessibility.py). */
html:root body.ts-contrast {
  --body-background-fill: #ffffff; --background-fill-primary: #ffffff; --background-fill-secondary: #ffffff;
  --block-background-fill: #ffffff; --panel-background-fill: #ffffff; --input-background-fill: #ffffff;
  --input-background-fill-focus: #ffffff; --table-even-background-fill: #ffffff; --table-odd-background-fill: #f2f2f2;
  --body-text-color: #000000; --body-text-color-subdued: #1a1a1a; --block-label-text-color: #000000;
  --block-info-text-color: #1a1a1a; --block-title-text-color: #000000; --input-placeholder-color: #333333;
  --block-label-background-fill: #ffffff; --block-title-background-fill: #ffffff;
  --border-color-primary: #000000; --border-color-accent: #000000; --block-border-color: #000000;
  --input-border-color: #000000; --input-border-color-focus: #000000;
  --color-accent: #000000; --color-accent-soft: #ffffff; --checkbox-label-text-color: #000000;
  --link-text-color: #00008b; --link-text-color-hover: #000000; --link-text-color-visited: #4b0082;
  --link-text-color-active: #000000;
  --button-primary-background-fill: #000000; --button-primary-background-fill-hover: #1a1a1a;
  --button-primary-border-color: #000000; --button-primary-text-color: #ffffff;
  --button-primary-text-color-hover: #ffffff;
  --button-secondary-background-fill: #ffffff; --button-secondary-background-fill-hover: #f2f2f2;
  --button-secondary-border-color: #000000; --button-secondary-text-color: #000000;
  --button-secondary-text-color-hover: #000000;
  --button-cancel-background-fill: #7f1d1d; --button-cancel-background-fill-hover: #450a0a;
  --button-cancel-border-color: #7f1d1d; --button-cancel-text-color: #ffffff;
  --slider-color: #000000; --ts-focus: #00008b;
  color-scheme: light;
}
body.ts-contrast .gradio-container { background: #ffffff; color: #000000; }
/* Touch targets of at least 44 px for every gr.Button (size sm/md/lg) and accordion header, and a focus ring
   you can see. */
.gradio-container button.sm, .gradio-container button.md, .gradio-container button.lg,
.gradio-container button.label-wrap { min-height: 44px; }
.gradio-container :is(a, button, summary, input, textarea, select, [tabindex]):focus-visible {
  outline: 3px solid var(--ts-focus) !important; outline-offset: 2px;
}
.gradio-container { max-width: 960px !important; margin: auto; }
.gradio-container .prose, .gradio-container .message, #chat .message-content { font-size: var(--ts-size) !important; line-height: 1.55; }
.citation { margin: .4em 0; padding: .3em .5em; border: 1px solid #666; border-radius: 6px; }
.citation summary { cursor: pointer; font-size: .95em; }
.passage { margin: .4em 0; }
/* "Đọc lại bước này" on each step of an answer (assistant/read_aloud.py adds them): a 44 px target, shown once
   someone has listened on this page, so that the steps stay uncluttered for those who read. */
.ts-step-say { display: none; min-width: 44px; min-height: 44px; margin-left: .3em; padding: 0 .3em; vertical-align: middle;
  border: 1px solid var(--border-color-primary); border-radius: 8px; background: var(--background-fill-secondary);
  cursor: pointer; font-size: .9em; line-height: 1; }
body[data-reading="voice"] .ts-step-say, body[data-reading="server"] .ts-step-say { display: inline-block !important; }
#counter-answer, #counter-answer .prose { font-size: 30px !important; line-height: 1.5; }
#counter-question textarea { font-size: 26px !important; }
#counter-card a { font-size: 24px; font-weight: bold; }
/* The question box stays at the bottom of the screen while a long answer is read above it. Sticky needs every
   ancestor up to the page to leave overflow alone: Gradio's container clips (overflow: hidden), which would
   make it the sticky box's scroller; `clip` cuts off the same overflow without being a scroller. */
.gradio-container { overflow: clip !important; }
#ask-row { position: sticky; bottom: 0; z-index: 20; background: var(--body-background-fill);
  padding: 6px 0; border-top: 1px solid var(--border-color-primary); }
/* Phones: the conversation gets the width. Gradio pads the page by 32 px each side; this shrinks it to about
   6 px on a 360 px screen. (Not in the media query below: Gradio scopes the rules inside a media query to
   `.contain`, which lies inside this element.) */
.gradio-container .main.app { padding-left: clamp(6px, 4vw - 8px, 32px) !important;
  padding-right: clamp(6px, 4vw - 8px, 32px) !important; }
/* Phones: headings and the counter's large type scaled to a phone. */
@media (max-width: 480px) {
  #ts-title h1, #counter-title h1 { font-size: 1.6em; margin-bottom: .2em; }
  #counter-answer, #counter-answer .prose { font-size: 22px !important; }
  #counter-question textarea { font-size: 20px !important; }
  #counter-card a { font-size: 20px; }
}
"""

# After Gradio renders: the page language (Gradio writes <html lang="en">; screen readers choose their voice
# from it), a Vietnamese name for the chat log Gradio labels "chatbot conversation", and a polite live region
# around the counter's answer so it is read out when it arrives. The resident chat needs no live region of ours:
# Gradio's `role="log"` inside #chat is already `aria-live="polite"`, and nesting a second one would make screen
# readers announce answers twice. A MutationObserver re-applies all of it whenever Gradio re-renders.
A11Y_SCRIPT = r"""
(() => {
  const set = (el, name, value) => { if (el && el.getAttribute(name) !== value) el.setAttribute(name, value); };
  const apply = () => {
    set(document.documentElement, 'lang', 'vi');
    set(document.querySelector('#chat [role="log"]'), 'aria-label', 'Cuộc trò chuyện');
    set(document.querySelector('#counter-answer [data-testid="markdown"]'), 'aria-live', 'polite');
  };
  apply();
  new MutationObserver(apply).observe(document.documentElement,
    {childList: true, subtree: true, attributes: true, attributeFilter: ['lang', 'aria-label']});
})();
"""


def accessibility_head() -> str:
    return f"<script>{A11Y_SCRIPT}</script>"


def create_app(settings: Settings, assistant: Any | None = None) -> Any:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr
    from fastapi import FastAPI, Query
    from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse

    from assistant.api import health
    from assistant.feedback import FeedbackStore
    from assistant.pipeline import Assistant
    from assistant.stepcard import StepCard, render_html, render_pdf
    from assistant.ui.admin import build_admin_page
    from assistant.ui.counter import build_counter_page
    from assistant.ui.resident import build_resident_page

    assistant = assistant or Assistant.from_settings(settings)
    feedback = FeedbackStore(settings.feedback_path)
    app = FastAPI(title="Trợ lý số", docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        return health(assistant)

    add_api(app, settings, assistant)  # before the pages: Gradio's mount at "/" would take every path

    def card_for(chunk: str, note: str) -> StepCard | None:
        found = assistant.chunk(chunk)
        return None if found is None else StepCard.from_chunk(found, note)

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
            path = synthesize(body.text, settings.speech_cache_dir)
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
    # run_history=False: Gradio would otherwise keep every question and answer in the browser's localStorage,
    # on a shared phone or the counter computer, unredacted.
    mount = dict(css=CSS, footer_links=[], ssr_mode=False, run_history=False,
                 head=read_aloud_head() + accessibility_head())
    app = gr.mount_gradio_app(app, build_admin_page(settings, feedback), path="/quan-tri", auth=auth,
                              auth_message=message, **mount)
    app = gr.mount_gradio_app(app, build_counter_page(assistant), path="/quay", **mount)
    app = gr.mount_gradio_app(app, build_resident_page(assistant, feedback), path="/", **mount)
    app.add_middleware(StaffLogin, guard=guard_from_settings(settings))
    return app
