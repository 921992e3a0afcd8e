"""One question asked on a page (resident chat or counter): the reply as it grows, then the final one.

A failure becomes a kind sentence, never a trace; the exchange is returned only for a real answer,
so the page keeps it for follow-up questions and feedback.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterator
from typing import Any

from assistant.conversation import Exchange
from assistant.errors import AssistantError
from assistant.ui.render import answer_markdown

log = logging.getLogger(__name__)

FAILED = "Xin lỗi, đã có lỗi khi tìm câu trả lời. Bạn hãy thử lại sau ít phút hoặc hỏi tại bộ phận một cửa."


def answer_turn(assistant: Any, question: str, exchanges: list[Exchange]) -> tuple[str, Exchange | None]:
    """One question through the assistant; a failure becomes a kind sentence, never a trace."""
    reply, exchange = "", None
    for reply, exchange in answer_stream(assistant, question, exchanges):
        pass
    return reply, exchange


def answer_stream(assistant: Any, question: str, exchanges: list[Exchange]) -> Iterator[tuple[str, Exchange | None]]:
    """Partial replies while a generative backend writes, then the final reply with its citations."""
    replies = assistant.stream(question, exchanges)
    try:
        while True:
            try:
                partial = next(replies)
            except StopIteration as done:
                answer = done.value
                break
            yield html.escape(partial, quote=False).replace("\n", "  \n"), None
    except AssistantError as exc:
        yield f"Xin lỗi, hệ thống đang gặp sự cố: {html.escape(str(exc))}", None
        return
    except Exception:
        log.exception("answer failed")
        yield FAILED, None
        return
    yield answer_markdown(answer), Exchange(answer.standalone or question, answer)
