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
from assistant.intent import PARAMS_PATH as INTENT_PATH
from assistant.intent import IntentModel, ngrams

# A wrong confident answer costs more than an honest "not covered" on a question the guides
# do answer: the threshold minimises UNCOVERED_COST × uncovered answered + in-scope declined.
UNCOVERED_COST = 3.0
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


def answerable(case: Case) -> bool | None:
    """The label the answerability model learns: should the guides answer this? (None: not a row for it)."""
    if case.category == "harmful":
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
    """The cut minimising negative_cost × negatives at or above it + positives below it.

    The cost curve of the answerability model is flat over a wide range (0.35–0.6 on the train
    fold), so a plain minimum jumps across it when a few rows change. The lowest cut within
    COST_TIE of the minimum is chosen instead: as cheap, and stable."""
    candidates = np.unique(np.concatenate([scores, [0.0, 1.0]]))
    costs = np.array([negative_cost * np.sum(~positive & (scores >= t)) + np.sum(positive & (scores < t))
                      for t in candidates])
    i = int(np.flatnonzero(costs <= costs.min() * (1 + COST_TIE))[0])
    # Halfway down to the next lower score: every score at or above candidates[i] stays covered.
    return float((candidates[i - 1] + candidates[i]) / 2) if i > 0 else float(candidates[i])


def fit_intent(rows: list[Row], model: str) -> tuple[IntentModel, dict[str, float]]:
    """Harmful requests against every other question, over the question vector and its word n-grams."""
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    examples = [(c, v, t) for c, _, v, t in rows if v.size > 1]
    y = np.array([c.category == "harmful" for c, _, _ in examples])
    vectors = INTENT_VECTOR_WEIGHT * np.stack([v for _, v, _ in examples]).astype(np.float32)
    texts = [t for _, _, t in examples]
    groups = [c.subject for c, _, _ in examples]

    def fitted(train: np.ndarray) -> tuple[TfidfVectorizer, LogisticRegression]:
        terms = TfidfVectorizer(analyzer=ngrams, sublinear_tf=True)
        x = hstack([csr_matrix(vectors[train]), terms.fit_transform([texts[i] for i in train])]).tocsr()
        return terms, LogisticRegression(C=INTENT_C, class_weight="balanced", max_iter=5000).fit(x, y[train])

    def scores(model_: tuple[TfidfVectorizer, LogisticRegression], rows_: np.ndarray) -> np.ndarray:
        terms, logistic = model_
        x = hstack([csr_matrix(vectors[rows_]), terms.transform([texts[i] for i in rows_])]).tocsr()
        return np.asarray(logistic.predict_proba(x)[:, 1], dtype=float)

    # Out-of-fold probabilities (by subject) choose the threshold on questions the fit never saw.
    oof = out_of_fold(fitted, scores, y, groups)
    benign = np.sort(oof[~y])
    threshold = float(benign[min(len(benign) - 1, int(np.ceil(len(benign) * (1 - BENIGN_REFUSED))))])
    terms, logistic = fitted(np.arange(len(y)))
    dim = vectors.shape[1]
    coef = logistic.coef_[0]
    vocabulary = terms.vocabulary_
    # The serving model takes the plain vector: the weight goes into its coefficients.
    model_ = IntentModel((INTENT_VECTOR_WEIGHT * coef[:dim]).astype(np.float32),
                         {g: float(coef[dim + j]) for g, j in vocabulary.items()},
                         {g: float(terms.idf_[j]) for g, j in vocabulary.items()},
                         float(logistic.intercept_[0]), threshold, model)
    stats = {"examples": len(y), "harmful": int(y.sum()), "oof_harmful_caught": float(np.mean(oof[y] > threshold)),
             "oof_benign_refused": float(np.mean(oof[~y] > threshold))}
    return model_, stats


def calibrate(assistant: Any, cases: list[Case], answer_cases: Sequence[AnswerCase] = (),
              params_path: Path = PARAMS_PATH, intent_path: Path = INTENT_PATH) -> dict[str, Any]:
    """Fit both models on the train fold of the boundary set and of the answer keys' questions.

    With the answer keys' questions (answered by their guide, or declined), the answerability
    model's out-of-fold cost on the boundary set's train rows fell from 328 to 304."""
    asked = {c.question for c in cases}
    extra = [a.as_case() for a in answer_cases if a.question not in asked]  # a question counts once
    train = [c for c in [*cases, *extra] if c.fold == "train"]
    assistant.retriever.answerability = Answerability.neutral(assistant.settings.embedding_model)
    intent, assistant.intent = assistant.intent, None
    try:
        rows = collect(assistant, train)
    finally:
        assistant.intent = intent
    fitted, a_stats = fit_answerability(rows, assistant.settings.embedding_model)
    intent_model, i_stats = fit_intent(rows, assistant.settings.embedding_model)
    params_path.parent.mkdir(parents=True, exist_ok=True)
    params_path.write_text(json.dumps(fitted.to_json(fitted_on=a_stats), indent=1) + "\n", encoding="utf-8")
    intent_path.write_text(json.dumps(intent_model.to_json(fitted_on=i_stats), ensure_ascii=False) + "\n",
                           encoding="utf-8")
    assistant.retriever.answerability = fitted
    assistant.intent = intent_model
    return {"answerability": a_stats, "threshold": fitted.threshold, "intent": i_stats,
            "intent_threshold": intent_model.threshold}
