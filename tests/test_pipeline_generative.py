"""With a generative backend on, answers stay cited and verified, or fall back to extractive ones."""

from __future__ import annotations

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from assistant.generate import GenerativeComposer
from assistant.pipeline import Assistant
from assistant.question import read_question


def first_line_of_top_passage(bundled_assistant, question: str) -> str:
    from assistant.guide_format import bullets_in, steps_in
    _, result = bundled_assistant.search(read_question(question).text)
    top = result.passages[0].chunk
    return (steps_in(top.text) or bullets_in(top.text) or [top.text.splitlines()[0]])[0]


def assistant_with(bundled_assistant, reply: str) -> Assistant:
    model = GenericFakeChatModel(messages=iter([AIMessage(content=reply)]))
    return Assistant(bundled_assistant.settings, bundled_assistant.retriever, None, GenerativeComposer(model))


def test_supported_generated_answer_is_kept_with_its_citations(bundled_assistant):
    question = "Quên passcode VNeID phải làm sao?"
    line = first_line_of_top_passage(bundled_assistant, question)
    generated = assistant_with(bundled_assistant, f"1. {line} [1]")
    answer = generated.ask(question)
    assert answer.status == "answered"
    assert answer.text.startswith(f"1. {line}")
    assert line in answer.citations[0].text


def test_unsupported_generated_answer_falls_back_to_the_extractive_one(bundled_assistant):
    question = "Quên passcode VNeID phải làm sao?"
    generated = assistant_with(bundled_assistant, "Bạn nộp phí 50.000 đồng tại bưu điện để lấy passcode mới. [1]")
    answer = generated.ask(question)
    assert "50.000" not in answer.text
    assert answer.text == bundled_assistant.ask(question).text


def test_streaming_yields_growing_text_and_returns_the_answer(bundled_assistant):
    question = "Quên passcode VNeID phải làm sao?"
    line = first_line_of_top_passage(bundled_assistant, question)
    generated = assistant_with(bundled_assistant, f"1. {line} [1]")
    replies = generated.stream(question)
    parts = []
    while True:
        try:
            parts.append(next(replies))
        except StopIteration as done:
            answer = done.value
            break
    assert len(parts) >= 2 and len(parts[-1]) >= len(parts[0])
    assert answer.text.startswith(f"1. {line}") and answer.citations
