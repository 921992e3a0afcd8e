"""Serving: the pages with the API in one process, or the API and channels alone in several workers.

Gradio keeps each page session (its queue and gr.State) in the memory of one process, so the
pages are served by exactly one process (`assistant serve`). The API and the Zalo channel keep
nothing in process memory that matters (conversations, rate-limit counters by default per
process, tokens and event ids in SQLite), so `assistant serve-api --workers N` runs them in N
processes; a reverse proxy sends /api/ and /kenh/ there and everything else to the pages.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from assistant.errors import AssistantError
from assistant.settings import Settings


def add_api(app: Any, settings: Settings, assistant: Any) -> None:
    """Mount /api/v1 and the chat channels on `app`."""
    from assistant.api import PREFIX, build_api
    from assistant.conversation_store import ConversationStore
    from assistant.zalo import ZaloChannel, build_channels_app

    conversations = ConversationStore(settings.conversations_path, settings.conversation_ttl, settings.conversation_max)
    app.mount(PREFIX, build_api(settings, assistant, conversations))
    app.mount("/kenh", build_channels_app(ZaloChannel(settings, assistant, conversations)))


def api_app(settings: Settings | None = None, assistant: Any | None = None) -> Any:
    """The API and channels without the pages; `uvicorn --factory assistant.server:api_app` serves it."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from fastapi import FastAPI
    from fastapi.responses import RedirectResponse

    from assistant.pipeline import Assistant

    settings = settings or Settings()
    if assistant is None:
        assistant = Assistant.from_settings(settings)
        warm_in_background(assistant)
    app = FastAPI(title="Trợ lý số API", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_api_route("/", lambda: RedirectResponse("/api/v1/docs"), methods=["GET"], include_in_schema=False)
    add_api(app, settings, assistant)
    return app


def warm_in_background(assistant: Any) -> None:
    """Embed the guides' sentences while the first residents are served (cached on disk per index version)."""

    def warm() -> None:
        try:
            assistant.warm()
        except AssistantError:
            pass  # no index yet: the first answer after an ingest embeds what it needs

    threading.Thread(target=warm, name="warm-sentences", daemon=True).start()


def serve(settings: Settings) -> None:
    """The pages and the API in one process."""
    import uvicorn

    from assistant.pipeline import Assistant
    from assistant.ui.app import create_app

    assistant = Assistant.from_settings(settings)
    app = create_app(settings, assistant)
    warm_in_background(assistant)
    print(f"Trợ lý số đang chạy tại http://{settings.host}:{settings.port}", flush=True)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning", proxy_headers=True)


def serve_api(settings: Settings, workers: int) -> None:
    """The API and channels in `workers` processes sharing one port; each reads settings from the environment."""
    import uvicorn

    # Each worker is a new process that builds its Settings from the same environment. The cores
    # are shared out between workers, so the embedder's OpenMP threads do not fight each other
    # (measured with `make load`: 2 workers on 2 cores answer about 6 % more with one thread each).
    if workers > 1:
        os.environ.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // workers)))
    print(f"API của Trợ lý số ({workers} tiến trình) tại http://{settings.host}:{settings.port}/api/v1/docs", flush=True)
    uvicorn.run("assistant.server:api_app", factory=True, host=settings.host, port=settings.port, workers=workers,
                log_level="warning", proxy_headers=True)
