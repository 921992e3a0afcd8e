"""The resident chat page (`/`): phone-first, large text, examples, citations, feedback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from assistant.conversation import Exchange
from assistant.feedback import FeedbackStore
from assistant.ui.display import SAVED_JS, SIZES, contrast_js, font_js
from assistant.ui.turn import answer_stream

EXAMPLES = {
    "VNeID": ["Làm sao để kích hoạt tài khoản VNeID?", "quen mat khau vneid thi lam sao"],
    "Dịch vụ công": ["Nộp hồ sơ trực tuyến trên Cổng dịch vụ công thế nào?", "làm giấy khai sinh cho con online"],
    "Thanh toán": ["Chuyển khoản bằng mã QR như thế nào?", "chuyen khoan nham tai khoan phai lam sao"],
    "An toàn": ["Có người gọi tự xưng công an bảo cập nhật VNeID qua đường link", "ngân hàng gọi xin mã OTP có đưa không"],
}
THINKING = "Đang tìm…"

LAST_ANSWER = "#chat .message-row.bot-row"  # every answer in the chat; "Nghe" reads the last one
# After an answer arrives, show its beginning (the summary and first step), not its end.
SHOW_ANSWER_JS = """() => {
  const rows = document.querySelectorAll('#chat .message-row.bot-row');
  if (rows.length) rows[rows.length - 1].scrollIntoView({block: 'start', behavior: 'instant'});
}"""
WARNING = "**Không bao giờ gửi mã OTP, mật khẩu, passcode hay số căn cước ở đây.**"
INTRO = ("# Trợ lý số\nHỏi cách dùng **VNeID**, **dịch vụ công trực tuyến** và **thanh toán không dùng tiền mặt**. "
         "Câu trả lời lấy từ các hướng dẫn đã kiểm tra, có ghi nguồn. " + WARNING)
# After the first question the introduction shrinks to its name and the warning, so that on a phone
# the conversation has the screen.
INTRO_SHORT = "# Trợ lý số\n" + WARNING


def build_resident_page(assistant: Any, feedback: FeedbackStore) -> Any:
    import gradio as gr

    def respond(question: str, history: list[dict[str, Any]], exchanges: list[Exchange]) -> Iterator[tuple[Any, ...]]:
        question = (question or "").strip()
        history, exchanges = list(history or []), list(exchanges or [])
        if not question:
            yield "", history, exchanges, gr.update(), gr.update()
            return
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": THINKING}]
        yield "", history, exchanges, gr.update(visible=False), INTRO_SHORT
        reply, exchange = THINKING, None
        for reply, exchange in answer_stream(assistant, question, exchanges):
            if exchange is None:
                history[-1] = {"role": "assistant", "content": reply}
                yield "", history, exchanges, gr.update(), gr.update()
        history[-1] = {"role": "assistant", "content": reply}
        if exchange is not None:
            exchanges = (exchanges + [exchange])[-6:]
        yield "", history, exchanges, gr.update(visible=exchange is not None), gr.update()

    def rate(rating: int, comment: str, exchanges: list[Exchange]) -> tuple[str, Any]:
        if not exchanges:
            return "Hãy hỏi một câu trước khi đánh giá.", gr.update()
        last = exchanges[-1]
        feedback.add(last.answer.question, last.answer.text, last.answer.status,
                     [c.source for c in last.answer.citations], rating, comment or "")
        return "Cảm ơn bạn đã góp ý!", gr.update(value="")

    with gr.Blocks(title="Trợ lý số — hỏi đáp VNeID, dịch vụ công, thanh toán") as page:
        intro = gr.Markdown(INTRO, elem_id="ts-title")
        exchanges = gr.State([])
        # No fixed height: the chat grows with its answers and the page scrolls, so an answer is read
        # in the page, never in a small box scrolling inside it.
        chat = gr.Chatbot(label="Trò chuyện", elem_id="chat", height=None, min_height=120, buttons=["copy"],
                          autoscroll=False)
        with gr.Row(equal_height=True, elem_id="ask-row"):  # kept at the bottom of the screen (CSS)
            box = gr.Textbox(label="Câu hỏi của bạn", placeholder="Gõ câu hỏi, có dấu hay không dấu đều được…",
                             show_label=False, scale=5, elem_id="question", autofocus=True, max_length=5000,
                             min_width=0)
            send = gr.Button("Hỏi", variant="primary", scale=1, elem_id="ask", min_width=72)
        # Shown once there is an answer: listening to it and rating it.
        with gr.Column(visible=False, elem_id="after-answer") as after_answer:
            with gr.Row(elem_id="read-aloud"):
                listen = gr.Button("🔊 Nghe câu trả lời", size="sm", elem_id="listen", scale=2, min_width=0)
                pause = gr.Button("⏯ Tạm dừng", size="sm", elem_id="listen-pause", scale=1, min_width=0)
                hush = gr.Button("⏹ Dừng", size="sm", elem_id="listen-stop", scale=1, min_width=0)
            listen.click(None, js=f"() => window.tsReadLast('{LAST_ANSWER}')")
            pause.click(None, js="() => window.tsPause()")
            hush.click(None, js="() => window.tsStop()")
            with gr.Group(elem_id="feedback"):
                comment = gr.Textbox(label="Câu trả lời có giúp ích không? Góp ý thêm (không bắt buộc)", lines=1,
                                     elem_id="feedback-comment", max_length=1000)
                with gr.Row():
                    up = gr.Button("👍 Có ích", size="sm", elem_id="thumbs-up", min_width=0)
                    down = gr.Button("👎 Chưa đúng ý", size="sm", elem_id="thumbs-down", min_width=0)
                thanks = gr.Markdown(elem_id="feedback-thanks")
        outputs = [box, chat, exchanges, after_answer, intro]
        box.submit(respond, [box, chat, exchanges], outputs, api_name="ask").then(None, js=SHOW_ANSWER_JS)
        send.click(respond, [box, chat, exchanges], outputs, api_visibility="private").then(None, js=SHOW_ANSWER_JS)
        up.click(lambda c, e: rate(1, c, e), [comment, exchanges], [thanks, comment], api_visibility="private")
        down.click(lambda c, e: rate(-1, c, e), [comment, exchanges], [thanks, comment], api_visibility="private")
        gr.Markdown("## Câu hỏi mẫu")  # h2 under the page's h1: heading levels must not skip
        for topic, questions in EXAMPLES.items():
            with gr.Row():
                # min widths: one line on a desktop; on a phone the topic, then each question, on its own line
                gr.Markdown(f"**{topic}**", min_height=0, min_width=250)
                for q in questions:
                    gr.Button(q, size="sm", min_width=200).click(respond, [gr.State(q), chat, exchanges], outputs,
                                                  api_visibility="private").then(None, js=SHOW_ANSWER_JS)
        with gr.Row():
            font = gr.Slider(SIZES[0], SIZES[1], value=SIZES[2], step=2, label="Cỡ chữ", elem_id="font-size",
                             min_width=220)
            with gr.Column(min_width=160):
                contrast = gr.Checkbox(label="Tương phản cao (chữ đen trên nền trắng)", elem_id="high-contrast")
                clear = gr.Button("Xoá cuộc trò chuyện", size="sm")
        font.change(None, inputs=font, outputs=font, js=font_js(remember=True))
        contrast.change(None, inputs=contrast, outputs=contrast, js=contrast_js(remember=True))
        page.load(None, None, [font, contrast], js=SAVED_JS)
        clear.click(lambda: ("", [], [], gr.update(visible=False), INTRO), None, outputs, api_visibility="private")
        gr.Markdown("Quầy hướng dẫn dành cho Đại sứ số: [/quay](/quay) · Quản trị: [/quan-tri](/quan-tri)")
    # Two cores: a few answers at once keep the queue moving; every `respond` listener shares it.
    return page.queue(default_concurrency_limit=4)
