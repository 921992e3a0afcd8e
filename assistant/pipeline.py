"""The one path every front door uses: question → safety → retrieval → answer → log."""

from __future__ import annotations

import time
from collections.abc import Generator
from typing import Any

from assistant.answer import Composer
from assistant.conversation import Exchange, condense, step_reference
from assistant.generate import GenerativeComposer, chat_model_from_settings
from assistant.logs import QuestionLog
from assistant.models import Answer, Chunk
from assistant.query import normalise_question
from assistant.retrieval import Retriever, SearchResult
from assistant.safety import check, redact
from assistant.settings import Settings
from assistant.store import IndexVersion, StoreHandle
from assistant.textnorm import clean, detect_language


class Assistant:
    def __init__(
        self,
        settings: Settings,
        retriever: Retriever,
        log: QuestionLog | None = None,
        generative: GenerativeComposer | None = None,
    ) -> None:
        self.settings = settings
        self.retriever = retriever
        self.log = log
        self.generative = generative
        self._composer_for: tuple[str, Composer] | None = None

    @classmethod
    def from_settings(cls, settings: Settings, log: bool = True) -> "Assistant":
        from assistant.embedding import embedding_function, load_encoder

        ef = embedding_function(settings.embedding_model)
        store = StoreHandle(settings, ef)
        retriever = Retriever(store, load_encoder(settings.embedding_model))
        model = chat_model_from_settings(settings)  # names the setting or package to fix when wrong
        generative = GenerativeComposer(model, timeout=settings.llm_timeout) if model is not None else None
        return cls(settings, retriever, QuestionLog(settings.data_dir / "logs") if log else None, generative)

    def composer(self, version: IndexVersion) -> Composer:
        if self._composer_for is None or self._composer_for[0] != version.id:
            guides: dict[str, list[Chunk]] = {}
            for chunk in version.chunks:
                guides.setdefault(chunk.source, []).append(chunk)
            for chunks in guides.values():
                chunks.sort(key=lambda c: c.position)
            self._composer_for = (version.id, Composer(guides, self._warning_chunk(version)))
        return self._composer_for[1]

    def _warning_chunk(self, version: IndexVersion) -> Chunk | None:
        """The scam-safety passage that best states 'never give your OTP or password'."""
        scores = version.lexical.scores("không cung cấp mã OTP mật khẩu cho bất kỳ ai lừa đảo")
        candidates = [i for i, c in enumerate(version.chunks) if c.topic == "an-toan"]
        if not candidates:
            return None
        return version.chunks[max(candidates, key=lambda i: scores[i])]

    def ask(self, question: Any, history: list[Exchange] | None = None) -> Answer:
        """Answer one question; `history` holds the earlier turns of the same conversation."""
        replies = self.stream(question, history)
        while True:
            try:
                next(replies)
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]

    def stream(self, question: Any, history: list[Exchange] | None = None) -> Generator[str, None, Answer]:
        """Yield the reply as it grows (only a generative backend makes more than one step); return the Answer."""
        started = time.perf_counter()
        text = clean(str(question) if question is not None else "")
        answer = yield from self._respond(text, history or [])
        if self.log is not None:
            self.log.record(text, answer, time.perf_counter() - started)  # the log redacts
        return answer

    def _respond(self, text: str, history: list[Exchange]) -> Generator[str, None, Answer]:
        lang = detect_language(text)
        if not text:
            return Answer(text, "no_answer", self._empty_reply(lang))
        verdict = check(text)
        if verdict.refused:
            return Answer(text, "refused", self._refusal(verdict.reason))
        step = self._step_from_history(text, history, lang)
        if step is not None:
            return step
        standalone = condense(text, history)
        warning = self._sensitive_warning(verdict.sensitive) + "\n\n" if verdict.sensitive else ""
        query = normalise_question(redact(standalone), self.settings.max_question_chars)
        result = self.retriever.search(query, k=self.settings.top_k)
        if not result.passages or not result.covered:
            answer = Answer(text, "no_answer", self._no_answer(result, lang))
        else:
            version = self.retriever.store.current()

            def extractive() -> Answer:
                return self.composer(version).answered(standalone, result.passages, lang, self.settings.top_k)

            if self.generative is None:
                answer = extractive()
            else:
                passages = result.passages[: self.settings.top_k]
                partial = self.generative.stream(standalone, passages, lang, extractive)
                while True:
                    try:
                        yield warning + next(partial)
                    except StopIteration as done:
                        answer = done.value
                        break
        answer.question, answer.standalone = text, standalone
        answer.text = warning + answer.text
        return answer

    def _step_from_history(self, text: str, history: list[Exchange], lang: str) -> Answer | None:
        """'bước 3 là gì?' right after an answer with steps: repeat that step, with its citation."""
        n = step_reference(text)
        last = next((e.answer for e in reversed(history) if e.answer.status == "answered"), None)
        if n is None or last is None or not last.steps or not last.citations:
            return None
        label = "Step" if lang == "en" else "Bước"
        if not 1 <= n <= len(last.steps):
            body = (f"The previous answer has {len(last.steps)} steps." if lang == "en"
                    else f"Câu trả lời trước chỉ có {len(last.steps)} bước.")
            return Answer(text, "answered", body + " [1]", last.citations[:1], last.steps, standalone=text)
        reply = f"{label} {n}: {last.steps[n - 1]} [1]"
        if n < len(last.steps):
            reply += f"\n\n{label} {n + 1}: {last.steps[n]} [1]"
        return Answer(text, "answered", reply, last.citations[:1], last.steps, standalone=text)

    def _empty_reply(self, lang: str) -> str:
        if lang == "en":
            return "Please type a question, for example: “How do I activate my VNeID account?”"
        return "Bạn chưa nhập câu hỏi. Hãy gõ câu hỏi, ví dụ: “Làm sao để kích hoạt tài khoản VNeID?”"

    def _refusal(self, reason: str) -> str:
        return (
            f"Xin lỗi, tôi không làm được việc này: {reason}. "
            "Đừng gửi mã OTP, mật khẩu, passcode hay số căn cước cho bất kỳ ai, kể cả trợ lý này. "
            "Nếu cần giúp về VNeID, dịch vụ công hay thanh toán, hãy hỏi cách làm, tôi sẽ chỉ từng bước."
        )

    def _sensitive_warning(self, kinds: list[str]) -> str:
        return (
            f"⚠️ Câu hỏi của bạn có vẻ chứa {', '.join(kinds)}. Đừng gửi những thông tin này cho ai, "
            "kể cả trợ lý này; tôi không lưu chúng."
        )

    def _no_answer(self, result: SearchResult, lang: str) -> str:
        titles: list[str] = []
        for p in result.passages:
            if p.chunk.title not in titles:
                titles.append(p.chunk.title)
        if lang == "en":
            text = (
                "Sorry, our guides do not cover this question. You can ask at the one-stop counter of your "
                "ward or commune People's Committee, or call 1900 0368 (VNeID, ID card and population data support)."
            )
            if titles:
                text += "\n\nRelated guides (in Vietnamese): " + "; ".join(titles[:3])
            return text
        text = (
            "Xin lỗi, các hướng dẫn của Trợ lý số chưa nói về câu hỏi này nên tôi không trả lời để tránh "
            f"chỉ sai. Bạn có thể hỏi trực tiếp tại {self.settings.hotline_note}."
        )
        if titles:
            text += "\n\nCó thể bạn muốn hỏi:\n" + "\n".join(f"- {t}" for t in titles[:3])
        return text
