"""Counter mode (`/quay`) for Đại sứ số: type, Enter, a very large answer, a printable step card.

The session's questions live only in server-side session state: "Xoá" wipes them, and nothing
is kept in the browser of a shared counter computer.
"""

from __future__ import annotations

import html
from typing import Any

from assistant.conversation import Exchange
from assistant.ui.display import contrast_js
from assistant.ui.render import card_link
from assistant.ui.turn import answer_turn


def card_links(exchange: Exchange | None, note: str) -> str:
    if exchange is None or exchange.answer.status != "answered" or not exchange.answer.citations:
        return ""
    first = exchange.answer.citations[0]
    web, pdf = card_link(first, note), card_link(first, note, pdf=True)
    return (
        f'<div id="card-links"><a id="card-print" href="{html.escape(web, quote=True)}" target="_blank">In thẻ hướng dẫn</a>'
        f' · <a id="card-pdf" href="{html.escape(pdf, quote=True)}" target="_blank">Tải PDF</a>'
        f"<br><small>Nguồn: {html.escape(first.title)} — {html.escape(first.section)}</small></div>"
    )


def history_markdown(asked: list[str]) -> str:
    if not asked:
        return "_Chưa có câu hỏi nào trong phiên này._"
    return "\n".join(f"{i}. {html.escape(q)}" for i, q in enumerate(asked, 1))


def build_counter_page(assistant: Any) -> Any:
    import gradio as gr

    def ask(question: str, exchanges: list[Exchange], asked: list[str], note: str) -> tuple[Any, ...]:
        question = (question or "").strip()
        exchanges, asked = list(exchanges or []), list(asked or [])
        if not question:
            return "", gr.update(), exchanges, asked, gr.update(), gr.update()
        shown, exchange = answer_turn(assistant, question, exchanges)
        asked.append(question)
        if exchange is not None:
            exchanges = (exchanges + [exchange])[-6:]
        return ("", shown, exchanges, asked, history_markdown(asked),
                card_links(exchange, note or ""))

    def renote(note: str, exchanges: list[Exchange]) -> str:
        return card_links(exchanges[-1] if exchanges else None, note or "")

    def clear() -> tuple[Any, ...]:
        return "", "", [], [], history_markdown([]), "", ""

    with gr.Blocks(title="Trợ lý số — quầy hướng dẫn") as page:
        gr.Markdown("# Quầy hướng dẫn — Trợ lý số\nGõ câu hỏi của người dân rồi nhấn **Enter**. "
                    "Quay màn hình về phía người dân để cùng đọc.", elem_id="counter-title")
        exchanges, asked = gr.State([]), gr.State([])
        with gr.Row(equal_height=True):
            box = gr.Textbox(label="Câu hỏi của người dân", placeholder="Câu hỏi của người dân…", show_label=False,
                             scale=6, elem_id="counter-question", autofocus=True, max_length=5000,
                             min_width=0)
            go = gr.Button("Trả lời", variant="primary", scale=1, elem_id="counter-ask", min_width=80)
        answer = gr.Markdown(elem_id="counter-answer")
        with gr.Row(elem_id="counter-read-aloud"):
            listen = gr.Button("🔊 Đọc cho người dân nghe", size="sm", elem_id="counter-listen", scale=2, min_width=0)
            pause = gr.Button("⏯ Tạm dừng", size="sm", elem_id="counter-listen-pause", scale=1, min_width=0)
            hush = gr.Button("⏹ Dừng", size="sm", elem_id="counter-listen-stop", scale=1, min_width=0)
        listen.click(None, js="() => window.tsReadLast('#counter-answer')")
        pause.click(None, js="() => window.tsPause()")
        hush.click(None, js="() => window.tsStop()")
        note = gr.Textbox(label="Ghi chú của quầy trên thẻ hướng dẫn (ví dụ: giờ làm việc, quầy số)", max_length=300,
                          elem_id="counter-note")
        links = gr.HTML(elem_id="counter-card")
        with gr.Accordion("Các câu đã hỏi trong phiên", open=False):
            past = gr.Markdown(history_markdown([]), elem_id="counter-history")
        wipe = gr.Button("Xoá phiên (người dân tiếp theo)", variant="stop", elem_id="counter-clear")
        contrast = gr.Checkbox(label="Tương phản cao (chữ đen trên nền trắng)", elem_id="counter-contrast")
        contrast.change(None, inputs=contrast, outputs=contrast, js=contrast_js(remember=False))
        outputs = [box, answer, exchanges, asked, past, links]
        box.submit(ask, [box, exchanges, asked, note], outputs, api_visibility="private")
        go.click(ask, [box, exchanges, asked, note], outputs, api_visibility="private")
        note.change(renote, [note, exchanges], links, api_visibility="private")
        wipe.click(clear, None, [box, answer, exchanges, asked, past, links, note], api_visibility="private")
    return page
