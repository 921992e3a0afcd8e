"""Turn retrieved passages into a short reply that answers the question asked, citing every part.

Extractive: every sentence is lifted word for word from a cited passage. What comes first
depends on what the question asks (assistant.question): "how do I" gets the guide's summary
and the numbered steps; "how much", "when", "where", "who", "is it allowed", "what if" and
"which case" get the sentences of the guides that state that fact first, then only the steps
and notes that bear on the question. No sentence is printed twice and no bullet is cut.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import threading
import zlib
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.entities import asked_unit, has_entity, states_unit
from assistant.freshness import is_stale
from assistant.guide_format import (
    BULLET,
    LIST_MARK,
    PAYMENT_TOPIC,
    SAFETY_TOPIC,
    bullets_in,
    is_help,
    is_notes,
    is_summary,
    retells_scam,
    retells_story,
    steps_in,
)
from assistant.models import Answer, Chunk, Citation, Passage
from assistant.query import expand, lexical_query
from assistant.question import names_a_task_only
from assistant.reply import Reply
from assistant.sides import asker_sides, speaks_to_other_side
from assistant.textnorm import content_terms, fold, term_coverage

_SCAM_TOPICS = re.compile(
    r"\b(chuyen khoan|chuyen tien|chuyen nham|nap tien|vi dien tu|link|duong link|duong dan|goi dien|cuoc goi|"
    r"tin nhan|otp|qr|lua dao|gia danh|mao danh|transfer|scam|call)\b"
)
# A line that already warns against handing over codes: the "⚠️ Cảnh báo" line would repeat it.
_SECRET_WARNING = re.compile(
    r"\b(khong|dung|never)\b.{0,40}\b(dua|doc|chia se|cung cap|gui|noi|share|give)\b.{0,40}\b(otp|mat khau|passcode)\b|"
    r"\b(otp|mat khau|passcode)\b.{0,60}\b(cho ai|bat ky ai|anyone|ai hoi)\b"
)
# A guide that says it could not confirm the very thing asked: the honest reply is "not covered".
_UNCONFIRMED = re.compile(
    r"\b(chua (kiem chung|co nguon|tim (duoc|thay)|xac nhan duoc|ro)|(chung toi|huong dan nay) chua xac nhan|"
    r"khong (noi|ghi) ro|khong ghi o day|khong tu suy dien|chua co (thong tin|huong dan)|khong co nguon|"
    r"chua thay (nguon|muc|\w+ cong bo)|khong giai thich|(nguon( tim duoc)?|huong dan nay|bai viet) khong neu)\b"
)
# Words in quotes are what an app or a screen says ("Chưa có thông tin"), not the guide's doubt.
_QUOTED = re.compile(r"[\"“][^\"”]*[\"”]")
# ...and, for a how-to, says so of the steps themselves ("chưa có nguồn ... hướng dẫn từng bước").
_NO_STEPS = re.compile(r"\b(huong dan(?! nay)|cac buoc|tung buoc|cach (lam|lay lai))\b")
# A section heading that says what its steps are for ("Các bước đăng ký kết hôn", "Cách đổi số").
_STEPS_HEADING = re.compile(r"^(cac buoc|cach)\b")
# Openings that talk about the guide instead of answering ("Bài này giúp bạn…").
_META_OPENING = re.compile(r"^(bai (viet )?nay|huong dan nay|trang nay|tai lieu nay)\b")
MAX_NOTES = 2
# An amount or a duration is taken from the guide search ranked first: another procedure's fee or
# deadline is the worst wrong answer (train answer keys +1; for every lead kind: -6).
SAME_GUIDE_KINDS = ("amount", "time")
HOWTO_FORM_WORDS = frozenset({"cach"})
HEADING_WEIGHT = 1.0  # a heading naming the question's words lifts its sentences (train answer keys: 0.2, 1, 2 gave .722, .724, .706)
MAX_RELATED = 2
MAX_BODY_CHARS = 900
# Kinds whose answer is a specific fact: when some sentence of the guide states one, only those lead.
STRICT_KINDS = ("count", "contact")
LEAD_KINDS = ("amount", "count", "time", "place", "who", "yesno", "whatif", "whichcase", "contact")
ACTION_KINDS = ("whatif", "place", "who", "contact")  # they ask what to do, where or whom to turn to
RELATED_DENSE_GAP = 0.015  # a "Xem thêm" guide must be about as close to the question as the main one
RELATED_MIN_COVERAGE = 0.35
SENTENCE_DENSE_WEIGHT = 40  # cosine gaps between sentences are small (e5): a 0.05 gap outweighs a shared word
# A runner-up sentence from another section of the guide leads too when it scores within this of
# the best: the two often split the answer ("tiền thường đến ngay, kể cả ngày nghỉ" a section away
# from what VietQR is). Train answer keys: 0.724 → 0.736.
SECOND_LEAD_GAP = 0.5


@dataclass(frozen=True)
class Labels:
    steps: str
    notes: str
    warning: str
    related: str
    lead: str

    @classmethod
    def for_language(cls, lang: str) -> "Labels":
        if lang == "en":
            return cls("Steps:", "Notes:", "Warning:", "See also:",
                       "The Vietnamese guide “{title}” answers this in its section “{section}” (quoted in Vietnamese):")
        return cls("Các bước:", "Lưu ý:", "Cảnh báo:", "Xem thêm:", "")


def steps_label(section: str, labels: Labels) -> str:
    """What the steps are for, in the guide's own heading ("Các bước khi có tiền lạ vào tài khoản:"),
    so a reader sees at once whether they are for their case; a bare "Các bước:" otherwise (and in
    English replies, whose first line already names the section)."""
    if labels.lead or not _STEPS_HEADING.match(fold(section)):
        return labels.steps
    return f"{section}:"


def sentences_in(text: str) -> list[str]:
    """The passage's sentences, list items kept whole (a bullet is one unit, never cut)."""
    units: list[str] = []
    for line in text.splitlines():
        line = LIST_MARK.sub("", line).strip()
        if not line:
            continue
        if BULLET.match(line) or len(line) < 220:
            units.append(line)
            continue
        units += [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ\"“(])", line) if s.strip()]
    return units


STALE = {
    "vi": "ℹ️ Hướng dẫn này được kiểm tra lần cuối ngày {checked} và đã quá hạn rà soát; quy định có thể đã thay đổi, "
          "hãy hỏi lại bộ phận một cửa của xã, phường khi cần chắc chắn.",
    "en": "ℹ️ This guide was last checked on {checked} and is due for review; the rules may have changed, so ask at "
          "the ward's one-stop counter when you need to be sure.",
}


def _date_vi(iso: str) -> str:
    try:
        return dt.date.fromisoformat(iso).strftime("%d/%m/%Y")
    except ValueError:
        return iso


def says_unconfirmed(sentence: str, caveat_counts: bool = True) -> bool:
    """Does the sentence say the guide could not confirm something? With `caveat_counts` False, a
    doubt after a semicolon ("Có thể đổi tại nhà…; hướng dẫn này chưa có nguồn cho từng bước")
    is a caveat on an answer the first clause already gives, not a doubt about that answer."""
    folded = _QUOTED.sub(" ", fold(sentence))
    return bool(_UNCONFIRMED.search(folded if caveat_counts else folded.split(";")[0]))


def _sentence_key(chunk: Chunk, sentences: list[str]) -> str:
    """Cache key of a section's sentence vectors: its id and the sentences themselves, so vectors
    saved before a change in how sections are split into sentences are never read for new ones."""
    digest = zlib.crc32("\n".join([chunk.title, *sentences]).encode("utf-8"))
    return f"{chunk.id}-{digest:08x}"


def _lead_units(chunk: Chunk) -> list[str]:
    """The sentences of a section that can lead a reply (not headers of a list, not fragments)."""
    return [s for s in sentences_in(chunk.text) if len(s) >= 12 and not s.endswith(":")]


def needs_scam_warning(question: str, chunk: Chunk) -> bool:
    return bool(_SCAM_TOPICS.search(fold(question))) or chunk.topic == PAYMENT_TOPIC


class Composer:
    """Builds the extractive answer; `guide_chunks` gives every chunk of a guide in order."""

    def __init__(self, guide_chunks: dict[str, list[Chunk]], warning_chunk: Chunk | None = None,
                 idf: Callable[[str], float] | None = None,
                 embed: Callable[[list[str]], np.ndarray] | None = None, where_to_ask: str = "",
                 today: Callable[[], dt.date] = dt.date.today) -> None:
        self.guide_chunks = guide_chunks
        self.today = today
        self.where_to_ask = where_to_ask
        self.warning_chunk = warning_chunk
        self.idf = idf or (lambda term: 1.0)
        self.embed = embed  # passage-side embedder for sentences; None ranks them by words alone
        self._sentence_vectors: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def load(self, cache: Path) -> None:
        """Read the sentence vectors an earlier process saved (see warm); a missing or unreadable file is skipped."""
        if not cache.exists():
            return
        try:
            with np.load(cache) as saved:
                vectors = {k: saved[k] for k in saved.files}
        except (OSError, ValueError, KeyError):
            return  # unreadable cache: sentences are embedded when asked for, and warm overwrites it
        with self._lock:
            for key, value in vectors.items():
                self._sentence_vectors.setdefault(key, value)

    def warm(self, cache: Path | None = None) -> None:
        """Embed every guide's sentences now (a server does this in the background after it starts).

        With `cache`, vectors saved by an earlier process are read instead, and what was embedded
        is saved for the next one: each worker of a server would otherwise spend a minute of CPU."""
        if cache is not None:
            self.load(cache)
        keys: set[str] = set()
        for chunks in list(self.guide_chunks.values()):
            for chunk in chunks:
                units = _lead_units(chunk)
                self.sentence_vectors(chunk, units)
                keys.add(_sentence_key(chunk, units))
        if cache is not None:
            with self._lock:  # only this version's sentences: a stale file's entries are not carried on
                vectors = {k: v for k, v in self._sentence_vectors.items() if k in keys}
            try:
                cache.parent.mkdir(parents=True, exist_ok=True)
                tmp = cache.with_name(f"{cache.stem}.{os.getpid()}.tmp.npz")
                # mypy also matches **vectors against savez's `allow_pickle: bool`; the keys are sentence keys
                np.savez(tmp, **vectors)  # type: ignore[arg-type]
                os.replace(tmp, cache)
            except OSError:
                pass  # a read-only or full disk only costs the next process the same minute

    def section_vectors(self, chunk: Chunk) -> np.ndarray | None:
        """Unit vectors of the sentences of a section that can lead a reply (search weighs them too)."""
        return self.sentence_vectors(chunk, _lead_units(chunk))

    def sentence_vectors(self, chunk: Chunk, sentences: list[str]) -> np.ndarray | None:
        """Unit vectors of a section's sentences, embedded once per process (a guide is asked about again and again)."""
        if self.embed is None or not sentences:
            return None
        key = _sentence_key(chunk, sentences)
        with self._lock:
            vectors = self._sentence_vectors.get(key)
        if vectors is None or len(vectors) != len(sentences):
            vectors = np.asarray(self.embed([f"{chunk.title}. {s}" for s in sentences]), dtype=np.float32)
            with self._lock:
                self._sentence_vectors[key] = vectors
        return vectors

    # -- scoring -----------------------------------------------------------------------------
    def overlap(self, terms: AbstractSet[str], text: str) -> float:
        """Rarity-weighted share of the question's meaning words that `text` holds."""
        return term_coverage(terms, text, self.idf)

    def section_fit(self, p: Passage, terms: AbstractSet[str], kind: str, rank: int, question: str = "") -> float:
        """How well a retrieved section answers: closeness, words of the question, the fact asked for."""
        text = p.chunk.embed_text
        fit = p.dense + 0.15 * self.overlap(terms, text) - 0.01 * rank
        if kind in LEAD_KINDS and has_entity(kind, p.chunk.text, question):
            fit += 0.02
        # A how-to is answered with its guide's steps even when search ranked the guide's summary
        # first (the body is taken from the guide's own steps), so the guide's steps count, not only
        # the section's: "Cách đổi số điện thoại đăng ký VNeID?" stays with the phone-number guide
        # and does not go to the password guide's steps that merely mention "số điện thoại".
        if kind == "howto" and any(steps_in(c.text) for c in self.guide_chunks.get(p.chunk.source, [p.chunk])):
            fit += 0.02
        return fit

    def lead_sentences(self, terms: AbstractSet[str], kind: str, chunks: list[tuple[int, Chunk]],
                       vector: np.ndarray | None = None, unit: str | None = None,
                       question: str = "") -> list[tuple[str, Chunk]]:
        """The one or two sentences that state what the question asks, best first.

        `chunks` pairs each candidate section with its rank (0 for the section search liked best);
        `unit` is the unit a how-long question counts in (see entities.asked_unit)."""
        sections = [(order, chunk, _lead_units(chunk)) for order, chunk in chunks]  # each section split once
        units = [(order, i, s, chunk) for order, chunk, lines in sections for i, s in enumerate(lines)]
        closeness: dict[tuple[str, int], float] = {}
        if vector is not None and self.embed is not None:
            for _, chunk, lines in sections:
                vectors = self.sentence_vectors(chunk, lines)
                if vectors is not None:
                    for i, sim in enumerate(vectors @ vector):
                        closeness[(chunk.id, i)] = float(sim)
        # Words on every line of the guide (its subject) do not tell its sentences apart: weigh each
        # question word by its rarity in the corpus and among these sentences.
        local = [content_terms(s) for _, _, s, _ in units]
        df = {t: sum(t in u for u in local) for t in terms}
        weight = {t: self.idf(t) * math.log((len(units) + 1) / (df[t] + 0.5)) for t in terms}
        total = sum(weight.values()) or 1.0
        scored: list[tuple[float, int, str, Chunk]] = []
        for (order, i, sentence, chunk), words in zip(units, local):
            score = sum(weight[t] for t in terms & words) / total - 0.04 * order - 0.005 * i
            score += SENTENCE_DENSE_WEIGHT * closeness.get((chunk.id, i), 0.0)
            if not (is_summary(chunk.section) or is_notes(chunk.section)):
                # a section named for the question's situation ("Khi điện thoại không đọc được chip");
                # the guide's own subject words name every section alike ("Các bước chứng thực bản sao
                # điện tử" in the guide on it), so only the question's other words count
                score += HEADING_WEIGHT * self.overlap(terms - content_terms(chunk.title), chunk.section)
            if kind in LEAD_KINDS and has_entity(kind, sentence, question):
                score += 0.25
            scored.append((score, -len(scored), sentence, chunk))
        def only_those_that(holds: Callable[[str], bool]) -> None:
            nonlocal scored
            scored = [u for u in scored if holds(u[2])] or scored  # none holds: every sentence stays

        if kind in STRICT_KINDS:
            # "có mấy người": only a sentence with a count answers it, however close the others read
            only_those_that(lambda s: has_entity(kind, s, question))
        if unit:
            # "mất mấy ngày": likewise only a sentence counting in days, not a validity in months beside it
            only_those_that(lambda s: states_unit(unit, s))
        scored.sort(reverse=True)
        if not scored:
            return []
        best = [(scored[0][2], scored[0][3])]
        if len(scored) > 1 and (scored[0][0] - scored[1][0] <= SECOND_LEAD_GAP
                                or (scored[1][0] >= 0.75 * scored[0][0] and scored[1][3].id == scored[0][3].id)):
            best.append((scored[1][2], scored[1][3]))
        return best

    # -- composition -------------------------------------------------------------------------
    def answered(self, question: str, passages: list[Passage], lang: str = "vi", top_k: int = 5,
                 kind: str = "howto", vector: np.ndarray | None = None, pinned: bool = False) -> Answer:
        """The reply from `passages`, best first; `pinned` keeps passages[0] as the main section (a scam
        situation is answered from the safety guides however well another section fits its words)."""
        labels = Labels.for_language(lang)
        if kind == "other" and names_a_task_only(question):
            kind = "howto"
        if pinned:
            # A scam situation, whatever it asks ("có phải lừa không", "thì sao"): what it is (the
            # safety guide's summary says "đó là lừa đảo"), the guide's sentence that fits the situation
            # best, and what to do (its steps). Sentences of the sections that retell the scammer's
            # words ("Kẻ gian thường nói gì", "Dấu hiệu nhận biết") would echo the question back, so
            # they never lead (train answer keys: +2, none lost).
            kind = "howto"
        head = passages[: min(3, len(passages))]
        # Of a two-sided situation (sent or received a mistaken transfer), only the asker's side answers.
        sides = asker_sides(question)

        def ours(chunk: Chunk) -> bool:
            return not speaks_to_other_side(chunk.section, sides, chunk.title)
        # The main section is chosen on the words as asked (an English question's own words match no
        # section, so closeness decides); its sentences are then matched on the Vietnamese terms of an
        # English question ("forgot password" → "quên mật khẩu"): train answer keys +3, none lost.
        # Abbreviations count as the words they stand for ("quen mk" asks about "mật khẩu"), as in search.
        expanded = expand(question)
        asked = content_terms(expanded)
        if kind == "howto":
            asked = asked - HOWTO_FORM_WORDS  # "Cách đổi số…": the word that makes it a how-to names no subject
        # "VNeID có thu phí không": the fee section of the criminal-record guide shares the rare word
        # "thu", yet the section search put first ("có mất tiền, mất phí không") is the one that answers
        choices = [p for p in head if p.chunk.source == head[0].chunk.source] if kind in SAME_GUIDE_KINDS else head
        main = head[0].chunk if pinned else max(
            enumerate([p for p in choices if ours(p.chunk)] or head),
            key=lambda ip: self.section_fit(ip[1], asked, kind, ip[0], expanded))[1].chunk
        terms = content_terms(lexical_query(expanded, lang))
        guide = self.guide_chunks.get(main.source, [main])
        reply = Reply()

        def cite(chunk: Chunk) -> int:
            return reply.cite(chunk)

        body_chunk = main
        whole_section = False  # show every unit of the body section, not only those sharing the question's words
        lead: list[tuple[str, Chunk]] = []
        # Every section of the guide may hold what was asked; those search ranked high are preferred.
        rank = {p.chunk.id: i for i, p in enumerate(p for p in passages if p.chunk.source == main.source)}
        rank[main.id] = 0
        candidates = [(min(rank.get(c.id, 3), 3), c) for c in guide if not is_help(c.section) and ours(c)]
        if kind in LEAD_KINDS:
            pool = candidates
            if kind in ACTION_KINDS:
                # "what do I do", "where", "who": a retelling of the scammer's words echoes the question
                # back ("Xưng là cán bộ thuế, mời hộ kinh doanh cập nhật hồ sơ…"), never says what to do
                pool = [(o, c) for o, c in candidates if not retells_story(c.section)] or candidates
            lead = self.lead_sentences(terms, kind, pool, vector, asked_unit(question), expanded)
            # The guide doubts the very thing asked: unless the runner-up states it plainly ("người cao
            # tuổi được miễn lệ phí" beside a doubt about another case's fee), say it is not known.
            if lead and says_unconfirmed(lead[0][0], caveat_counts=False):
                plain = [u for u in lead[1:] if has_entity(kind, u[0], expanded) and not says_unconfirmed(u[0])]
                if not plain:
                    return self.unconfirmed(question, lead[0][0], lead[0][1], lang)
                lead = [plain[0], *(u for u in lead if u is not plain[0])]  # what is known first, the doubt after
            if lead and steps_in(lead[0][1].text):
                body_chunk = lead[0][1]  # the fact sits in a list of steps: show them all, in order
            elif lead and kind == "whatif" and not is_summary(lead[0][1].section):
                # "Quét mặt không khớp thì sao?": the section that states the situation goes on to
                # say what to do ("thử lại…", "ra quầy…") in bullets that share no word with the question.
                body_chunk = lead[0][1]
                whole_section = True
        elif kind == "howto":
            # "Mở khóa xong rồi thì làm gì với máy cũ": a how-to that names a situation is answered by
            # one section of the guide, not by its summary. When the sentence that fits it best is a
            # step, show that section's steps; a sentence outside any steps leads only when the
            # section search chose has no steps of its own (the steps stay the body of a how-to), or
            # when it is a note of the guide ("Mất điện thoại có cài ví thì làm gì": the note says to
            # tell the wallet and the bank at once, the steps are how to open a wallet).
            # Pinned, the signs too ("Dấu hiệu nhận biết" would echo the story asked about); otherwise only
            # the retold stories: the signs answer "how do I tell", the stories never say what to do.
            echoes = retells_scam if pinned else retells_story
            pool = [(o, c) for o, c in candidates if not echoes(c.section)] or candidates
            best = self.lead_sentences(terms, kind, pool, vector)[:1]
            if (best and not pinned and says_unconfirmed(best[0][0]) and _NO_STEPS.search(fold(best[0][0]))
                    and not steps_in(best[0][1].text)):
                # "Thêm người thân vào VNeID thế nào?": the guide says it has no steps for that (a
                # caveat inside a list of steps, "các bước trên theo cách làm chung", keeps the steps)
                return self.unconfirmed(question, best[0][0], best[0][1], lang)
            summary = fold(main.summary) if main.summary else ""
            if (best and fold(best[0][0]) != summary and not is_summary(best[0][1].section)
                    and (steps_in(best[0][1].text) or not steps_in(main.text) or is_notes(best[0][1].section))):
                lead = best
                if steps_in(best[0][1].text):
                    body_chunk = best[0][1]
                elif not steps_in(main.text):
                    body_chunk = next((c for c in guide if steps_in(c.text)), main)
        if kind == "howto" and not lead and not steps_in(main.text):
            ranked = [p.chunk.id for p in passages]
            with_steps = [c for c in guide if steps_in(c.text) and ours(c)]
            with_steps.sort(key=lambda c: (ranked.index(c.id) if c.id in ranked else len(ranked),
                                           -self.overlap(terms, c.embed_text)))
            if with_steps:
                body_chunk = with_steps[0]

        if lang == "en":
            reply.line(labels.lead.format(title=main.title, section=body_chunk.section))
        if kind not in LEAD_KINDS and (not lead or pinned):
            if main.summary and not _META_OPENING.match(fold(main.summary)):
                reply.sentence(main.summary, cite(body_chunk))
        steps = steps_in(body_chunk.text)
        show_steps = bool(steps) and (kind in ("howto", "other", "yesno", "whatif", "whichcase")
                                      or body_chunk.id in {p.chunk.id for p in head} or body_chunk.id != main.id)
        for sentence, chunk in lead:
            if not (show_steps and sentence in steps):  # the full list below says it, in its place
                reply.sentence(sentence, cite(chunk))
        if show_steps:
            n = cite(body_chunk)
            reply.block([f"{steps_label(body_chunk.section, labels)} [{n}]"] + [f"{i}. {s}" for i, s in enumerate(steps, 1)])
        elif not steps:
            units = [u for u in sentences_in(body_chunk.text)
                     if whole_section or self.overlap(terms, u) > 0 or kind == "howto"]
            kept = reply.fresh(units, MAX_BODY_CHARS)
            if kept:
                n = cite(body_chunk)
                reply.block([f"**{body_chunk.section}** [{n}]"] + [f"- {u}" for u in kept])

        body_is_notes = is_notes(body_chunk.section)  # then its bullets are the notes
        notes_chunk = None if body_is_notes else next(
            (c for c in guide if is_notes(c.section) and c.id != body_chunk.id), None)
        if notes_chunk is not None:
            relevant = [b for b in bullets_in(notes_chunk.text) if self.overlap(terms, b) >= 0.2]
            relevant.sort(key=lambda b: -self.overlap(terms, b))
            notes = reply.fresh(relevant[:MAX_NOTES], MAX_BODY_CHARS)
            if notes:
                n = cite(notes_chunk)
                reply.block([f"{labels.notes} [{n}]"] + [f"- {b}" for b in notes])

        if (self.warning_chunk is not None and main.topic != SAFETY_TOPIC and needs_scam_warning(question, main)
                and not reply.mentions(_SECRET_WARNING)):
            warning = next(iter(bullets_in(self.warning_chunk.text)), "") or self.warning_chunk.summary
            if warning and reply.fresh([warning], 10_000):
                n = cite(self.warning_chunk)
                reply.block([f"⚠️ {labels.warning} {warning} [{n}]"])

        if main.review_every and is_stale(main.checked, main.review_every, self.today()):
            reply.block([STALE[lang if lang == "en" else "vi"].format(checked=_date_vi(main.checked))])

        related: list[str] = []
        top_dense = max(p.dense for p in head)
        for p in passages:
            if len(related) >= MAX_RELATED or len(reply.cited) >= top_k:
                break
            source = p.chunk.source
            if source in reply.sources or p.chunk.title in related:
                continue
            if p.dense >= top_dense - RELATED_DENSE_GAP and p.coverage >= RELATED_MIN_COVERAGE:
                related.append(f"{p.chunk.title} [{cite(p.chunk)}]")
        if related:
            reply.block([labels.related + " " + "; ".join(related)])

        scores = {p.chunk.id: p.score for p in passages}
        citations = [Citation.of(i, c, scores.get(c.id, 0.0)) for i, c in enumerate(reply.cited, 1)]
        return Answer(question, "answered", reply.text(), citations, steps if show_steps else [])


    def unconfirmed(self, question: str, sentence: str, chunk: Chunk, lang: str) -> Answer:
        """The guide itself says it does not know what was asked: say so, quote it, and say where to ask."""
        if lang == "en":
            text = (f"Our guide “{chunk.title}” (in Vietnamese) says it could not confirm this: {sentence} [1]\n\n"
                    "Please ask at the one-stop counter of your ward or commune, or call 1900 0368.")
        else:
            text = (f"Hướng dẫn “{chunk.title}” chưa có câu trả lời chắc chắn cho việc này: {sentence} [1]\n\n"
                    f"Bạn hãy hỏi trực tiếp tại {self.where_to_ask or 'bộ phận một cửa của UBND xã, phường nơi bạn ở'}.")
        return Answer(question, "no_answer", text, [Citation.of(1, chunk)])
