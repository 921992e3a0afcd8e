"""Personal numbers typed by a resident never leave the process: not to a backend, not to the log."""

from __future__ import annotations

import json
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from assistant.generate import GenerativeComposer
from assistant.logs import QuestionLog
from assistant.pipeline import Assistant

PERSONAL = ["0912345678", "0912 345 678", "001203004005", "nguyen.an@example.vn", "482913"]


class RecordingChatModel(BaseChatModel):
    """Stands in for any generative backend: keeps every message it is sent."""

    seen: list[str] = []

    @property
    def _llm_type(self) -> str:
        return "recording"

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager: Any = None,
                  **kwargs: Any) -> ChatResult:
        self.seen.extend(str(m.content) for m in messages)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content="Không rõ."))])


def test_no_phone_id_email_or_code_reaches_the_backend_or_the_log(bundled_assistant, tmp_path):
    model = RecordingChatModel()
    log = QuestionLog(tmp_path / "logs" / "questions.jsonl")
    assistant = Assistant(bundled_assistant.settings, bundled_assistant.retriever, log, GenerativeComposer(model),
                          bundled_assistant.intent)
    question = ("Tôi quên mật khẩu VNeID, số điện thoại 0912 345 678, căn cước 001203004005, "
                "email nguyen.an@example.vn, mã OTP 482913, lấy lại thế nào?")
    answer = assistant.ask(question)
    assert model.seen, "the backend was not asked"
    sent = "\n".join(model.seen)
    logged = (tmp_path / "logs" / "questions.jsonl").read_text(encoding="utf-8")
    for value in PERSONAL:
        assert value not in sent, value
        assert value not in logged, value
        assert value not in answer.standalone, value
    assert json.loads(logged.splitlines()[-1])["status"] == answer.status
    assert answer.question == question  # echoed to the asker only


def test_the_personal_data_warning_speaks_the_askers_language(bundled_assistant):
    english = bundled_assistant.ask("My ID number is 001203004005 and my phone 0912 345 678. How do I activate VNeID?")
    assert english.text.startswith("⚠️ Your question seems to contain a phone number and an ID number.")
    assert "001203004005" not in english.text and "Câu hỏi của bạn" not in english.text
    vietnamese = bundled_assistant.ask("Số căn cước của tôi là 001203004005, kích hoạt VNeID thế nào?")
    assert vietnamese.text.startswith("⚠️ Câu hỏi của bạn có vẻ chứa số định danh.")
