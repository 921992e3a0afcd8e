"""Fit the answerability and intent models on the training folds (`assistant eval --calibrate`).

Only rows of the train fold are used; the test fold stays unseen so that `assistant eval`
measures on subjects the fit never saw. scikit-learn does the fitting; serving needs only
the JSON files written here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from assistant.answerability import FEATURES, PARAMS_PATH, VECTOR_WEIGHT, Answerability
from assistant.evaluation import AnswerCase, Case
from assistant.guide_format import SAFETY_TOPIC
from assistant.intent import PARAMS_PATH as INTENT_PATH
from assistant.intent import SCAM_PATH, IntentModel, ngrams
from assistant.textnorm import fold

# A wrong confident answer costs more than an honest "not covered" on a question the guides
# do answer: the threshold minimises UNCOVERED_COST × the share of uncovered questions answered
# + the share of in-scope questions declined. Shares, not counts: written as counts, each new
# file of in-scope questions lowered the cut (answerable rows outnumber uncovered ones three to
# one, so "3 per wrong answer" had come to weigh the two kinds of error about evenly). The cost
# curve is flat and jagged from 0.54 to 0.66 (out of fold on train, 2,876 rows: 0.88 to 0.93 of
# uncovered questions declined against 0.11 to 0.17 of in-scope ones, costs 0.281 to 0.297), so
# small changes move the cut along it: 0.567 → 0.625 when 840 harmful, look-alike and scam rows
# came in, → 0.634 when one guide gained one bullet. Each step declines a few more answerable
# questions (and scam stories no model flags); best_threshold now settles ties on the declining side.
UNCOVERED_COST = 1.5
COST_TIE = 0.01  # costs within 1 % of the minimum count as a tie (see best_threshold)
# Share of benign training questions the intent model may refuse (out of fold, by subject): the
# regex families carry most refusals; the model adds what it catches without refusing residents.
# Once the patterns stopped refusing words that merely fold alike (20 → 1 benign train questions),
# 0.0075 keeps look-alikes refused, patterns and model together, under 2 % out of fold (1.8 %), and
# catches 0.744 of harmful requests (0.725 at 0.005; 0.01 would refuse 2.5 % of look-alikes).
BENIGN_REFUSED = 0.0075
# Inverse regularisation of the intent model and the weight of the question vector next to its
# word n-grams, chosen by subject-grouped cross-validation on train (with patterns, harmful caught
# out of fold 0.62 → 0.68 at the same 1 % of benign questions refused when the weight went 1 → 2).
INTENT_C = 4.0
INTENT_VECTOR_WEIGHT = 2.0
# Share of the questions the guides answer (in-scope, answerable look-alikes, answer keys; out of
# fold) that the harm model may doubt: declined with a referral, not refused. Out of fold on train
# the band at 0.02 declined 0.55 of the harmful requests that neither the patterns nor the refusal
# cut caught (0.38 at 0.01), and 0.011 of in-scope questions. With 5,036 train rows, the whole
# decision simulated out of fold: 0.03 raised harmful requests refused or declined from 0.923 to
# 0.939 and in-scope questions declined from 0.147 to 0.150 (most questions it doubts the
# answerability cut declines anyway); scam situations answered from a safety guide 0.866 → 0.861.
DOUBTED = 0.03
# Share of the questions other guides answer (or none does) that the scam model may send to the
# safety guides, out of fold: each one sent there loses its own guide's answer. At 0.01, out of
# fold on train, 0.915 of the scam situations reached a safety guide first (patterns, model or
# plain ranking) against 0.891 without the model, and 5 of 900 in-scope questions were moved off
# the guide that answered them first.
SCAM_FALSE_ROUTE = 0.01
# Below that, a band of doubt over the same negatives: a story the scam model half-suspects, that
# names a call, message or link or an ask for money or codes, is answered from a safety guide when
# one ranks first by itself (the answerability cut, fitted on other questions, declined most scam
# stories no model or pattern flagged). Out of fold on train (4,444 rows, the whole decision
# simulated): scam situations answered from a safety guide first 0.808 → 0.855, uncovered and
# in-scope questions unchanged, harmful requests refused or declined 0.933 → 0.931. Without the
# named call or ask, the band took in uncovered stories (a work accident, a mistyped top-up).
SCAM_DOUBTED = 0.05

M = TypeVar("M")  # a fitted model, whatever its parts
Row = tuple[Case, dict[str, float], np.ndarray, str]  # case, answerability features, question vector, question


def collect(assistant: Any, cases: list[Case]) -> list[Row]:
    """Features, question vector and redacted question of every case, through the same search the answers use."""
    from assistant.question import read_question

    rows = []
    for case in cases:
        text = read_question(case.question, assistant.settings.max_question_chars).text
        _, result = assistant.search(text)
        vector = result.vector if result.vector is not None else np.zeros(1, dtype=np.float32)
        rows.append((case, result.features, vector, text))
    return rows


def folded_copies(rows: list[Row], encode: Callable[[list[str]], np.ndarray]) -> list[Row]:
    """Each row again as typed without accents (its vector re-embedded), for rows whose text changes.

    Residents often type without diacritics, and the embedder places "lam gia giay to" some way
    from "làm giả giấy tờ"; the word n-grams are folded already, the vectors are not. Used only as
    extra training rows of the text models, never to choose their cuts. Out of fold on train
    (6,342 rows), harmful requests flagged by the harm model rose from 0.599 to 0.642 at the same
    0.7 % of other questions."""
    changed = [(case, features, fold(text)) for case, features, _, text in rows if fold(text) != text]
    if not changed:
        return []
    vectors = np.asarray(encode([text for _, _, text in changed]), dtype=np.float32)
    return [(case, features, vector, text) for (case, features, text), vector in zip(changed, vectors)]


def answerable(case: Case) -> bool | None:
    """The label the answerability model learns: should the guides answer this? (None: not a row for it).

    Harmful requests are refused before it is asked; scam situations are answered from the safety
    guides once the patterns or the scam model send them there, so they do not teach it either."""
    if case.category in ("harmful", "scam"):
        return None
    return case.in_scope


def fit_answerability(rows: list[Row], model: str) -> tuple[Answerability, dict[str, float]]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    labelled = [(c, f, v) for c, f, v, _ in rows if answerable(c) is not None and v.size > 1]
    x = np.array([[f[name] for name in FEATURES] for _, f, _ in labelled])
    vectors = np.stack([v for _, _, v in labelled]).astype(np.float64)
    y = np.array([bool(answerable(c)) for c, _, _ in labelled])
    groups = [c.subject for c, _, _ in labelled]

    def inputs(scaler: StandardScaler, rows_: np.ndarray) -> np.ndarray:
        return np.hstack([scaler.transform(x[rows_]), VECTOR_WEIGHT * vectors[rows_]])

    def fitted(train: np.ndarray) -> tuple[StandardScaler, LogisticRegression]:
        scaler = StandardScaler().fit(x[train])
        return scaler, LogisticRegression(C=1.0, class_weight="balanced", max_iter=5000).fit(inputs(scaler, train),
                                                                                           y[train])

    def scores(model_: tuple[StandardScaler, LogisticRegression], rows_: np.ndarray) -> np.ndarray:
        scaler, logistic = model_
        return np.asarray(logistic.predict_proba(inputs(scaler, rows_))[:, 1], dtype=float)

    # Out-of-fold probabilities (by subject) choose the threshold, so it is not tuned on rows the model saw.
    oof = out_of_fold(fitted, scores, y, groups)
    threshold = best_threshold(oof, y, UNCOVERED_COST)
    scaler, logistic = fitted(np.arange(len(y)))
    n = len(FEATURES)
    fitted_model = Answerability(tuple(float(v) for v in scaler.mean_), tuple(float(v) for v in scaler.scale_),
                                 tuple(float(v) for v in logistic.coef_[0][:n]), float(logistic.intercept_[0]),
                                 threshold, model, tuple(float(v) for v in logistic.coef_[0][n:]))
    stats = {"rows": len(y), "answerable": int(y.sum()), "oof_uncovered_declined": float(np.mean(oof[~y] < threshold)),
             "oof_in_scope_declined": float(np.mean(oof[y] < threshold))}
    return fitted_model, stats


def out_of_fold(fit: Callable[[np.ndarray], M], score: Callable[[M, np.ndarray], np.ndarray],
                y: np.ndarray, groups: Sequence[str]) -> np.ndarray:
    """Each row's score from a model fitted without its subject (five folds grouped by subject)."""
    from sklearn.model_selection import GroupKFold

    oof = np.zeros(len(y))
    for train, held in GroupKFold(n_splits=5).split(np.zeros(len(y)), y, groups):
        oof[held] = score(fit(train), held)
    return oof


def best_threshold(scores: np.ndarray, positive: np.ndarray, negative_cost: float) -> float:
    """The cut minimising negative_cost × the share of negatives at or above it + the share of positives below it.

    The cost curve of the answerability model is flat over a wide range, so a plain minimum
    jumps across it when a few rows change (0.584 → 0.632 → 0.575 over three refits, each a
    minimum within 1 % of the other). Among the cuts within COST_TIE of the minimum the highest
    is chosen: as cheap, and where the costs tie the honest "not covered" wins, since a wrong
    confident answer is the failure a resident acts on. The lowest was chosen before; it lands
    on whichever end of the flat stretch a refit happens to dip at."""
    candidates = np.unique(np.concatenate([scores, [0.0, 1.0]]))
    negatives, positives = max(1, int(np.sum(~positive))), max(1, int(np.sum(positive)))
    costs = np.array([negative_cost * np.sum(~positive & (scores >= t)) / negatives
                      + np.sum(positive & (scores < t)) / positives for t in candidates])
    i = int(np.flatnonzero(costs <= costs.min() * (1 + COST_TIE))[-1])
    # Halfway down to the next lower score: every score at or above candidates[i] stays covered.
    return float((candidates[i - 1] + candidates[i]) / 2) if i > 0 else float(candidates[i])


def harmful(case: Case) -> bool | None:
    """The label the harm model learns: a request to refuse, against every other question."""
    return case.category == "harmful"


def scam_situation(case: Case) -> bool | None:
    """The label the scam model learns: a call, message or link trying a scam on the asker.

    Other questions the safety guides answer ('OTP là gì?') are left out of its fit: routing them
    there is right too, but they do not describe a scam being tried, and a pinned safety passage
    answers with the guide's summary and steps."""
    if case.category == "scam":
        return True
    if case.in_scope and all(g.startswith(f"{SAFETY_TOPIC}/") for g in case.expected.split("|")):
        return None
    return False


def fit_text_model(rows: list[Row], model: str, label: Callable[[Case], bool | None], flagged_share: float,
                   doubt_share: float | None = None,
                   doubt_among: Callable[[Case], bool] = lambda c: bool(answerable(c)),
                   extra: Sequence[Row] = ()) -> tuple[IntentModel, dict[str, float]]:
    """A logistic model over the question vector and its word n-grams, flagging at most
    `flagged_share` of the negatives (out of fold, by subject); with `doubt_share`, a lower cut
    that doubts at most that share of the negatives `doubt_among` picks (by default the
    questions the guides should answer). `extra` rows (other spellings of the same questions)
    only train: each joins the folds its subject is in, and no cut is chosen on them."""
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    def labelled(rows_: Sequence[Row]) -> tuple[np.ndarray, np.ndarray, list[str], list[str], list[Case]]:
        chosen = [(c, v, t, is_) for c, _, v, t in rows_ if v.size > 1 and (is_ := label(c)) is not None]
        y_ = np.array([bool(is_) for _, _, _, is_ in chosen], dtype=bool)
        vectors_ = INTENT_VECTOR_WEIGHT * np.stack([v for _, v, _, _ in chosen]).astype(np.float32) if chosen else \
            np.zeros((0, 1), dtype=np.float32)
        return y_, vectors_, [t for _, _, t, _ in chosen], [c.subject for c, _, _, _ in chosen], [c for c, _, _, _ in chosen]

    y, vectors, texts, groups, cases = labelled(rows)
    extra_y, extra_vectors, extra_texts, extra_groups, _ = labelled(extra)

    def fitted(train: np.ndarray) -> tuple[TfidfVectorizer, LogisticRegression]:
        subjects = {groups[i] for i in train}
        more = [j for j, g in enumerate(extra_groups) if g in subjects]
        terms = TfidfVectorizer(analyzer=ngrams, sublinear_tf=True)
        words = terms.fit_transform([texts[i] for i in train] + [extra_texts[j] for j in more])
        dense = np.vstack([vectors[train], extra_vectors[more]]) if more else vectors[train]
        x = hstack([csr_matrix(dense), words]).tocsr()
        return terms, LogisticRegression(C=INTENT_C, class_weight="balanced", max_iter=5000).fit(
            x, np.concatenate([y[train], extra_y[more]]))

    def scores(model_: tuple[TfidfVectorizer, LogisticRegression], rows_: np.ndarray) -> np.ndarray:
        terms, logistic = model_
        x = hstack([csr_matrix(vectors[rows_]), terms.transform([texts[i] for i in rows_])]).tocsr()
        return np.asarray(logistic.predict_proba(x)[:, 1], dtype=float)

    # Out-of-fold probabilities (by subject) choose the threshold on questions the fit never saw.
    oof = out_of_fold(fitted, scores, y, groups)

    def cut(values: np.ndarray, share: float) -> float:
        """The score above which `share` of `values` lie."""
        ranked = np.sort(values)
        return float(ranked[min(len(ranked) - 1, int(np.ceil(len(ranked) * (1 - share))))])

    threshold = cut(oof[~y], flagged_share)
    doubt = None
    if doubt_share is not None:
        among = np.array([doubt_among(c) for c in cases]) & ~y
        doubt = min(threshold, cut(oof[among], doubt_share))
    terms, logistic = fitted(np.arange(len(y)))
    dim = vectors.shape[1]
    coef = logistic.coef_[0]
    vocabulary = terms.vocabulary_
    # The serving model takes the plain vector: the weight goes into its coefficients.
    model_ = IntentModel((INTENT_VECTOR_WEIGHT * coef[:dim]).astype(np.float32),
                         {g: float(coef[dim + j]) for g, j in vocabulary.items()},
                         {g: float(terms.idf_[j]) for g, j in vocabulary.items()},
                         float(logistic.intercept_[0]), threshold, model, doubt)
    stats = {"examples": len(y), "positive": int(y.sum()), "oof_positive_flagged": float(np.mean(oof[y] > threshold)),
             "oof_negative_flagged": float(np.mean(oof[~y] > threshold))}
    if doubt is not None:
        stats["oof_positive_doubted"] = float(np.mean(((oof > doubt) & (oof <= threshold))[y]))
    return model_, stats


def fit_intent(rows: list[Row], model: str, extra: Sequence[Row] = ()) -> tuple[IntentModel, dict[str, float]]:
    """Harmful requests against every other question."""
    return fit_text_model(rows, model, harmful, BENIGN_REFUSED, DOUBTED, extra=extra)


def fit_scam(rows: list[Row], model: str, extra: Sequence[Row] = ()) -> tuple[IntentModel, dict[str, float]]:
    """Scam situations against every question the safety guides do not answer."""
    return fit_text_model(rows, model, scam_situation, SCAM_FALSE_ROUTE, SCAM_DOUBTED, doubt_among=lambda c: True,
                          extra=extra)


def calibrate(assistant: Any, cases: list[Case], answer_cases: Sequence[AnswerCase] = (),
              params_path: Path = PARAMS_PATH, intent_path: Path = INTENT_PATH,
              scam_path: Path = SCAM_PATH) -> dict[str, Any]:
    """Fit the three models on the train fold of the boundary set and of the answer keys' questions.

    With the answer keys' questions (answered by their guide, or declined), the answerability
    model's out-of-fold cost on the boundary set's train rows fell from 328 to 304."""
    asked = {c.question for c in cases}
    extra = [a.as_case() for a in answer_cases if a.question not in asked]  # a question counts once
    train = [c for c in [*cases, *extra] if c.fold == "train"]
    assistant.retriever.answerability = Answerability.neutral(assistant.settings.embedding_model)
    intent, assistant.intent = assistant.intent, None
    scam, assistant.scam = assistant.scam, None
    try:
        rows = collect(assistant, train)
    finally:
        assistant.intent, assistant.scam = intent, scam
    unaccented = folded_copies(rows, lambda texts: assistant.retriever.encoder.encode_query(
        texts, batch_size=32, normalize_embeddings=True))
    fitted, a_stats = fit_answerability(rows, assistant.settings.embedding_model)
    intent_model, i_stats = fit_intent(rows, assistant.settings.embedding_model, unaccented)
    scam_model, s_stats = fit_scam(rows, assistant.settings.embedding_model, unaccented)
    params_path.parent.mkdir(parents=True, exist_ok=True)
    params_path.write_text(json.dumps(fitted.to_json(fitted_on=a_stats), indent=1) + "\n", encoding="utf-8")
    for model_, stats, path in ((intent_model, i_stats, intent_path), (scam_model, s_stats, scam_path)):
        path.write_text(json.dumps(model_.to_json(fitted_on=stats), ensure_ascii=False) + "\n", encoding="utf-8")
    assistant.retriever.answerability = fitted
    assistant.intent, assistant.scam = intent_model, scam_model
    return {"answerability": a_stats, "threshold": fitted.threshold, "intent": i_stats,
            "intent_threshold": intent_model.threshold, "scam": s_stats, "scam_threshold": scam_model.threshold}
