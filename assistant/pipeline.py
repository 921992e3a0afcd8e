"""The one path every front door uses: question → safety → retrieval → answer → log."""

from __future__ import annotations

import shutil
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answer import Composer
from assistant.answerability import Answerability
from assistant.conversation import Exchange, condense, step_reference
from assistant.generate import GenerativeComposer, chat_model_from_settings
from assistant.guide_format import SAFETY_TOPIC, steps_in
from assistant.intent import SCAM_PATH, IntentModel
from assistant.logs import QuestionLog
from assistant.models import Answer, Chunk, Citation
from assistant.query import expand
from assistant.question import Question, is_scam_situation, question_kind, read_question, scam_signs
from assistant.retrieval import Retriever, SearchResult
from assistant.safety import SENSITIVE_EN, Verdict, check
from assistant.settings import Settings
from assistant.sides import asker_sides, speaks_to_other_side
from assistant.store import IndexVersion, StoreHandle
from assistant.streams import final

# What a partial answer says is missing, by question kind (see assistant.question).
MISSING_VI = {"amount": "số tiền (phí, lệ phí, hạn mức)", "time": "thời hạn hay thời gian", "place": "nơi làm",
              "who": "người hay cơ quan", "contact": "số điện thoại hay tổng đài"}
MISSING_EN = {"amount": "amount (fee or limit)", "time": "time limit or duration", "place": "place", "who": "person or office",
              "contact": "phone number"}
# Question kinds whose missing fact makes an answer partial: a fee, a deadline or a hotline nobody
# wrote down (a number a resident would dial must never come from another guide).
PARTIAL_KINDS = ("amount", "time", "contact")
# Below this similarity the nearest guide is not about the subject at all: a plain "not covered".
PARTIAL_DENSE = 0.84
# The heading of the nearby guides a decline names, one "- title" line each (the pages link those lines).
SUGGESTIONS_VI = "Có thể bạn muốn hỏi:"
SUGGESTIONS_EN = "Related guides (in Vietnamese):"


def _suggestion_list(heading: str, titles: list[str]) -> str:
    return "\n".join([heading, *(f"- {t}" for t in titles[:3])])


class Assistant:
    def __init__(
        self,
        settings: Settings,
        retriever: Retriever,
        log: QuestionLog | None = None,
        generative: GenerativeComposer | None = None,
        intent: IntentModel | None = None,
        scam: IntentModel | None = None,
    ) -> None:
        self.settings = settings
        self.retriever = retriever
        self.log = log
        self.generative = generative
        self.intent = intent  # does the question ask for harm?
        self.scam = scam  # does it describe a scam being tried on the asker? (beyond the patterns)
        self._composer_for: tuple[str, Composer] | None = None
        self.warmed = False  # every sentence of the serving version embedded (see warm)

    @classmethod
    def from_settings(cls, settings: Settings, log: bool = True, calibrating: bool = False) -> "Assistant":
        """The assistant as configured; `calibrating` starts without fitted parameters (they are being made)."""
        from assistant.embedding import embedding_function, load_encoder

        ef = embedding_function(settings.embedding_model)
        store = StoreHandle(settings, ef)
        encoder = load_encoder(settings.embedding_model)
        retriever = Retriever(store, encoder, Answerability.neutral(settings.embedding_model) if calibrating else None)
        model = chat_model_from_settings(settings)  # names the setting or package to fix when wrong
        generative = GenerativeComposer(model, timeout=settings.llm_timeout) if model is not None else None
        intent = None if calibrating else IntentModel.load(model=settings.embedding_model)
        scam = None if calibrating else IntentModel.load(SCAM_PATH, model=settings.embedding_model)
        return cls(settings, retriever, QuestionLog(settings.question_log_path) if log else None, generative, intent,
                   scam)

    def version(self) -> IndexVersion:
        """The serving index version (re-read when an ingest switches it); NoIndexError when there is none."""
        return self.retriever.store.current()

    def chunk(self, chunk_id: str) -> Chunk | None:
        """A passage of the serving version by id (step cards link to one), None when it is gone."""
        version = self.version()
        index = version.by_id.get(chunk_id)
        return None if index is None else version.chunks[index]

    def composer(self, version: IndexVersion) -> Composer:
        if self._composer_for is None or self._composer_for[0] != version.id:
            guides: dict[str, list[Chunk]] = {}
            for chunk in version.chunks:
                guides.setdefault(chunk.source, []).append(chunk)
            for chunks in guides.values():
                chunks.sort(key=lambda c: c.position)
            composer = Composer(guides, self._warning_chunk(version), version.idf, self._embed_passages,
                                self.settings.hotline_note)
            # Vectors a server or `assistant warm` saved for this version: a command-line answer
            # reads them in a fifth of a second instead of embedding its sections' sentences.
            composer.load(self._sentence_cache(version))
            self._composer_for = (version.id, composer)
        return self._composer_for[1]

    def _sentence_cache(self, version: IndexVersion) -> Path:
        model = "".join(ch if ch.isalnum() else "-" for ch in self.settings.embedding_model)[-40:]
        return self.settings.sentence_cache_dir / version.id / f"{model}.npz"  # one folder per index version

    def warm(self) -> None:
        """Embed every sentence of the serving version's guides, so no resident waits for it."""
        version = self.version()
        cache = self.settings.sentence_cache_dir
        self.composer(version).warm(self._sentence_cache(version))
        for folder in cache.iterdir() if cache.is_dir() else []:  # vectors of versions pruned since
            if not (self.settings.versions_dir / folder.name).is_dir():
                shutil.rmtree(folder, ignore_errors=True)
        self.warmed = True

    def _embed_passages(self, texts: list[str]) -> Any:
        return self.retriever.encoder.encode_document(texts, batch_size=32, normalize_embeddings=True)

    def _warning_chunk(self, version: IndexVersion) -> Chunk | None:
        """The scam-safety passage that best states 'never give your OTP or password'."""
        scores = version.lexical.scores("không cung cấp mã OTP mật khẩu cho bất kỳ ai lừa đảo")
        candidates = [i for i, c in enumerate(version.chunks) if c.topic == SAFETY_TOPIC]
        if not candidates:
            return None
        return version.chunks[max(candidates, key=lambda i: scores[i])]

    def ask(self, question: Any, history: list[Exchange] | None = None) -> Answer:
        """Answer one question; `history` holds the earlier turns of the same conversation."""
        return final(self.stream(question, history))

    def stream(self, question: Any, history: list[Exchange] | None = None) -> Generator[str, None, Answer]:
        """Yield the reply as it grows (only a generative backend makes more than one step); return the Answer."""
        started = time.perf_counter()
        asked = read_question(question, self.settings.max_question_chars)
        answer = yield from self._respond(asked, history or [])
        answer.question = asked.raw  # echoed to the asker only
        if self.log is not None:
            self.log.record(asked.text, answer, time.perf_counter() - started)
        return answer

    def _respond(self, asked: Question, history: list[Exchange]) -> Generator[str, None, Answer]:
        lang = asked.lang
        if not asked.text:
            return Answer(asked.text, "no_answer", self._empty_reply(lang))
        pattern = check(asked.raw)  # patterns need the unredacted wording; nothing leaves the process here
        if not pattern.refused:
            step = self._step_from_history(asked.text, history, lang)
            if step is not None:
                return step
        standalone = condense(asked.text, history)
        warning = self._sensitive_warning(asked.sensitive, lang) + "\n\n" if asked.sensitive else ""
        kind, result = self.search(standalone)
        unsure, note = False, ""
        harm, doubts, suspected = Verdict(), False, True  # without the model, the patterns decide alone
        if self.intent is not None and result.vector is not None:
            harm, doubts = self.intent.judge(result.vector, standalone)
            suspected = doubts or self.intent.doubt is None
        # A harm family refuses when the model at least doubts the question too; alone, it declines with
        # a referral: words that merely look like a request for harm ("vào VNeID của mẹ") do not get a
        # resident told they asked for something unlawful.
        if pattern.refused and (suspected or not pattern.seconded):
            return Answer(asked.text, "refused", self._refusal(pattern.reason, lang))
        if harm.refused:
            return Answer(asked.text, "refused", self._refusal(harm.reason, lang))
        # Half-suspected of asking for harm: no steps from a guide, a referral instead. A victim telling
        # of a call or message that wants money or codes is answered all the same, and so is a story the
        # scam model recognises (its safety guide put first): the harm model's doubt band, fitted to let
        # few answerable questions through, also took in victims' stories in words the patterns do not know.
        doubted = pattern.refused or (doubts and not (is_scam_situation(standalone) or result.pinned))
        if doubted:
            answer = Answer(asked.text, "no_answer", self._doubted(lang))
        elif not result.passages or not result.covered or self._lacks_fact(result, kind):
            nearby = self._nearby_guides(result)
            answer = Answer(asked.text, "no_answer", self._no_answer(result, lang, kind, [c.title for c in nearby]),
                            suggestions=nearby)
        else:
            version = self.version()
            # Only just covered: the answer is given, and says first that it may not be what was asked.
            # A scam situation put on a safety guide on purpose is not in doubt: its advice fits any such story.
            unsure = not result.pinned and self.retriever.answerability.unsure(result.probability)
            note = self._unsure_note(lang) + "\n\n" if unsure else ""

            def extractive() -> Answer:
                return self.composer(version).answered(standalone, result.passages, lang, self.settings.top_k, kind,
                                                       result.vector, pinned=result.pinned)

            if self.generative is None:
                answer = extractive()
            else:
                passages = result.passages[: self.settings.top_k]
                partial = self.generative.stream(standalone, passages, lang, extractive)
                while True:
                    try:
                        yield warning + note + next(partial)
                    except StopIteration as done:
                        answer = done.value
                        break
        answer.standalone = standalone
        # the composer may itself decline (the guide says it could not confirm it): no note on a decline
        answer.unsure = answer.status == "answered" and unsure
        answer.text = warning + (note if answer.unsure else "") + answer.text
        return answer

    @staticmethod
    def _lacks_fact(result: SearchResult, kind: str) -> bool:
        """An amount or a time asked of a guide that states none: say so rather than give other numbers.

        Not of a scam situation put first on a safety guide: whatever it asks ("phí bao nhiêu", "sắp hết
        hạn"), the composer answers it with what the scam is and what to do, never with a number, and a
        story declined for want of a date left the resident with no warning (train fold: 20 scam
        situations and 5 other answerable questions declined so, against 2 uncovered ones)."""
        return kind in PARTIAL_KINDS and bool(result.features.get("missing_entity")) and not result.pinned

    def search(self, text: str, k: int | None = None) -> tuple[str, SearchResult]:
        """What `text` (already redacted) asks for, and the passages found for it.

        A question describing a call, message or link that wants money, codes or an install is a
        scam situation: its best passage from the safety guides goes first, whatever else it names.
        The patterns know the common wordings; the scam model, reading the question's vector and
        words, the others ("tờ rơi nhét hộp thư kêu quét QR nhận quà").
        """
        kind = question_kind(text)
        signs = scam_signs(text)
        scam = all(signs)
        suspected = False  # the scam model's band of doubt: not sure enough to move a safety guide first

        def prefer(vector: np.ndarray) -> str | None:
            nonlocal suspected
            flagged, suspected = self.scam.levels(vector, text) if self.scam is not None else (False, False)
            return SAFETY_TOPIC if scam or flagged else None

        composer = self.composer(self.version())
        result = self.retriever.search(expand(text), k=k or self.settings.top_k, kind=kind, prefer_topic=prefer,
                                       sentences=composer.section_vectors)
        if result.pinned and speaks_to_other_side(result.passages[0].chunk.section, asker_sides(text),
                                                  result.passages[0].chunk.title):
            # A sender's question put on the receiver's scam guide ("chuyển nhầm … ngân hàng kêu tốn phí"):
            # that trap is not the asker's case, so the reply is chosen and judged as for any question.
            result.pinned = False
        # The safety guides speak to every call or message that wants money or codes, whether it was put
        # first on purpose or ranked first by itself for a story the scam model half-suspects and that
        # names a call, message or link or an ask for money or codes (the model's doubt alone also
        # took in a work accident and a mistyped top-up number).
        if result.passages and result.passages[0].chunk.topic == SAFETY_TOPIC and (
                result.pinned or (suspected and any(signs))):
            result.covered = True
        return kind, result

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

    def _refusal(self, reason: str, lang: str = "vi") -> str:
        if lang == "en":
            return (
                "Sorry, I cannot help with this: it could harm someone else's account, data or money, or break the law. "
                "Never send your OTP, password, passcode or ID number to anyone, this assistant included. "
                "If you lost access to your own account, ask how to recover or lock it; if you met a scam, ask how to report it."
            )
        return (
            f"Xin lỗi, tôi không giúp việc này: {reason}. "
            "Đừng gửi mã OTP, mật khẩu, passcode hay số căn cước cho bất kỳ ai, kể cả trợ lý này. "
            "Nếu bạn không vào được tài khoản của chính mình, hãy hỏi cách lấy lại mật khẩu hoặc khóa tài khoản; "
            "nếu bạn gặp lừa đảo, hãy hỏi cách trình báo, tôi sẽ chỉ từng bước."
        )

    def _sensitive_warning(self, kinds: list[str], lang: str = "vi") -> str:
        if lang == "en":
            named = [SENSITIVE_EN.get(k, k) for k in kinds]
            listed = ", ".join(named[:-1]) + " and " + named[-1] if len(named) > 1 else named[0]
            return (f"⚠️ Your question seems to contain {listed}. Do not send "
                    "these to anyone, this assistant included; I do not keep them.")
        return (
            f"⚠️ Câu hỏi của bạn có vẻ chứa {', '.join(kinds)}. Đừng gửi những thông tin này cho ai, "
            "kể cả trợ lý này; tôi không lưu chúng."
        )

    def _unsure_note(self, lang: str) -> str:
        if lang == "en":
            return ("ℹ️ I am not sure this guide answers exactly what you asked; check the source or ask at your "
                    "ward's one-stop counter.")
        return ("ℹ️ Tôi chưa chắc hướng dẫn này trả lời đúng điều bạn hỏi; hãy xem kỹ nguồn hoặc hỏi bộ phận một cửa "
                "xã, phường.")

    def _doubted(self, lang: str) -> str:
        if lang == "en":
            return ("Sorry, I cannot answer this question from our guides. If it is about your own account or papers, "
                    "ask how to recover, lock or renew them; if you met a scam, ask how to report it. You can also ask "
                    "at the one-stop counter of your ward or commune People's Committee.")
        return ("Xin lỗi, tôi không trả lời câu hỏi này từ các hướng dẫn. Nếu đó là tài khoản, giấy tờ của chính bạn, "
                "hãy hỏi cách lấy lại, khóa hoặc làm lại; nếu bạn gặp lừa đảo, hãy hỏi cách trình báo. "
                f"Bạn cũng có thể hỏi trực tiếp tại {self.settings.hotline_note}.")

    def _nearby_guides(self, result: SearchResult, limit: int = 3) -> list[Citation]:
        """The guides nearest a question they do not answer, best first, each by its first section of
        steps (or the section found, for a guide without steps): what a decline may point to."""
        guides = self.composer(self.version()).guide_chunks
        nearby: list[Citation] = []
        for p in result.passages:
            if len(nearby) == limit:
                break
            if any(c.title == p.chunk.title for c in nearby):
                continue
            card = next((c for c in guides.get(p.chunk.source, []) if steps_in(c.text)), p.chunk)
            nearby.append(Citation.of(len(nearby) + 1, card))
        return nearby

    def _no_answer(self, result: SearchResult, lang: str, kind: str, titles: list[str]) -> str:
        """Say the guides do not cover it; when the nearest guide names the subject but lacks the fact
        asked for (a fee, a deadline, a place), say that plainly instead of offering its steps. `titles`
        are the nearby guides to name (see _nearby_guides)."""
        partial = self._lacks_fact(result, kind) and result.features.get("dense", 0.0) >= PARTIAL_DENSE
        if lang == "en":
            text = (
                "Sorry, our guides do not cover this question. You can ask at the one-stop counter of your "
                "ward or commune People's Committee, or call 1900 0368 (VNeID, ID card and population data support)."
            )
            if partial and titles:
                text = (f"Our guide “{titles[0]}” (in Vietnamese) does not state the {MISSING_EN[kind]} you ask about. "
                        + text.split(". ", 1)[1])
            if titles:
                text += "\n\n" + _suggestion_list(SUGGESTIONS_EN, titles)
            return text
        text = (
            "Xin lỗi, các hướng dẫn của Trợ lý số chưa nói về câu hỏi này nên tôi không trả lời để tránh "
            f"chỉ sai. Bạn có thể hỏi trực tiếp tại {self.settings.hotline_note}."
        )
        if partial and titles:
            text = (
                f"Hướng dẫn “{titles[0]}” chưa ghi {MISSING_VI[kind]} mà bạn hỏi, nên tôi không đoán để tránh chỉ sai. "
                f"Bạn hãy hỏi trực tiếp tại {self.settings.hotline_note}."
            )
        if titles:
            text += "\n\n" + _suggestion_list(SUGGESTIONS_VI, titles)
        return text
