"""The resident chat page at `/`, served by FastAPI with Gradio mounted on it."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import Any

from assistant.errors import AssistantError
from assistant.settings import Settings
from assistant.ui.render import answer_markdown

log = logging.getLogger(__name__)

EXAMPLES = {
    "VNeID": ["Làm sao để kích hoạt tài khoản VNeID?", "quen mat khau vneid thi lam sao"],
    "Dịch vụ công": ["Nộp hồ sơ trực tuyến trên Cổng dịch vụ công thế nào?", "làm giấy khai sinh cho con online"],
    "Thanh toán": ["Chuyển khoản bằng mã QR như thế nào?", "chuyen khoan nham tai khoan phai lam sao"],
    "An toàn": ["Có người gọi tự xưng công an bảo cập nhật VNeID qua đường link", "ngân hàng gọi xin mã OTP có đưa không"],
}

CSS = """
:root { --body-text-size: 18px; }
.gradio-container { max-width: 900px !important; margin: auto; font-size: var(--ts-size, 18px); }
.gradio-container .prose, .gradio-container .message { font-size: var(--ts-size, 18px) !important; line-height: 1.55; }
.citation { margin: .4em 0; padding: .3em .5em; border: 1px solid #555; border-radius: 6px; }
.citation summary { cursor: pointer; }
.passage { white-space: normal; margin: .4em 0; }
#ts-title h1 { font-size: 1.6em; margin: 0; }
@media (max-width: 480px) { .gradio-container { padding: 4px !important; } }
"""

FONT_JS = """
(size) => { document.documentElement.style.setProperty('--ts-size', size + 'px'); return size; }
"""


def build_resident_page(assistant: Any) -> Any:
    import gradio as gr

    def respond(question: str, history: list[dict[str, Any]]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
        question = (question or "").strip()
        history = list(history or [])
        if not question:
            yield "", history
            return
        history = history + [
            {"role": "user", "content": question},
            {"role": "assistant", "content": "Đang tìm…"},
        ]
        yield "", history
        try:
            answer = assistant.ask(question)
            reply = answer_markdown(answer)
        except AssistantError as exc:
            reply = f"Xin lỗi, hệ thống đang gặp sự cố: {exc}"
        except Exception:
            log.exception("answer failed")
            reply = "Xin lỗi, đã có lỗi khi tìm câu trả lời. Bạn hãy thử lại sau ít phút hoặc hỏi tại bộ phận một cửa."
        history[-1] = {"role": "assistant", "content": reply}
        yield "", history

    with gr.Blocks(title="Trợ lý số — hỏi đáp VNeID, dịch vụ công, thanh toán") as page:
        gr.Markdown(
            "# Trợ lý số\nHỏi cách dùng **VNeID**, **dịch vụ công trực tuyến** và **thanh toán không dùng tiền mặt**. "
            "Câu trả lời lấy từ các hướng dẫn đã kiểm tra, có ghi nguồn. "
            "**Không bao giờ gửi mã OTP, mật khẩu, passcode hay số căn cước ở đây.**",
            elem_id="ts-title",
        )
        font = gr.Slider(14, 30, value=18, step=2, label="Cỡ chữ", elem_id="font-size")
        font.change(None, inputs=font, outputs=font, js=FONT_JS)
        chat = gr.Chatbot(label="Trò chuyện", elem_id="chat", height=520, buttons=["copy"])
        with gr.Row():
            box = gr.Textbox(
                placeholder="Gõ câu hỏi, có dấu hay không dấu đều được…",
                show_label=False,
                scale=5,
                elem_id="question",
                autofocus=True,
            )
            send = gr.Button("Hỏi", variant="primary", scale=1, elem_id="ask")
        box.submit(respond, [box, chat], [box, chat])
        send.click(respond, [box, chat], [box, chat])
        gr.Markdown("### Câu hỏi mẫu")
        for topic, questions in EXAMPLES.items():
            with gr.Row():
                gr.Markdown(f"**{topic}**")
                for q in questions:
                    gr.Button(q, size="sm").click(respond, [gr.State(q), chat], [box, chat])
        clear = gr.Button("Xoá cuộc trò chuyện", size="sm")
        clear.click(lambda: ("", []), None, [box, chat])
    return page


def create_app(settings: Settings, assistant: Any | None = None) -> Any:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr
    from fastapi import FastAPI

    from assistant.pipeline import Assistant

    assistant = assistant or Assistant.from_settings(settings)
    app = FastAPI(title="Trợ lý số", docs_url=None, redoc_url=None)

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        try:
            version = assistant.retriever.store.current()
        except AssistantError as exc:
            return {"ok": False, "error": str(exc)}
        return {"ok": True, "version": version.id, "chunks": len(version.chunks)}

    page = build_resident_page(assistant)
    return gr.mount_gradio_app(app, page, path="/", css=CSS, footer_links=[], ssr_mode=False)


def serve(settings: Settings) -> None:
    import uvicorn

    app = create_app(settings)
    print(f"Trợ lý số đang chạy tại http://{settings.host}:{settings.port}", flush=True)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")
