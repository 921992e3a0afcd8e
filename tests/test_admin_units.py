"""Staff-side pieces without a browser: passwords, lockout, feedback, gap report."""

from __future__ import annotations

from assistant.auth import LoginGuard, hash_password, verify_password
from assistant.feedback import FeedbackStore
from assistant.gaps import figures, gap_report, to_csv


def test_password_hash_verifies_only_the_right_password():
    stored = hash_password("mat-khau-rat-dai-2026")
    assert stored.startswith("pbkdf2_sha256$")
    assert verify_password("mat-khau-rat-dai-2026", stored)
    assert not verify_password("mat-khau-sai", stored)
    assert not verify_password("x", "not-a-hash")


def test_guard_locks_out_after_repeated_failures():
    guard = LoginGuard(limit=3, window=60, lockout=60, delay=0)
    assert not guard.check(False) and not guard.check(False) and not guard.check(False)
    assert guard.locked()
    assert not guard.check(True), "even the right password waits out the lockout"


def test_feedback_is_stored_without_personal_data(tmp_path):
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    store.add("số cccd 001203004567 quên mật khẩu", "…", "answered", ["corpus/vneid/quen-mat-khau.md"], -1,
              "gọi tôi 0912345678")
    [row] = store.all()
    assert "001203004567" not in row.question and "0912345678" not in row.comment
    assert row.rating == -1 and row.sources == ["corpus/vneid/quen-mat-khau.md"]


def test_gap_report_groups_similar_questions_newest_first():
    log = [
        {"time": "2026-11-20T08:00:00+00:00", "question": "giá vàng hôm nay", "status": "no_answer", "sources": []},
        {"time": "2026-11-21T08:00:00+00:00", "question": "gia vang hom nay bao nhieu", "status": "no_answer", "sources": []},
        {"time": "2026-11-22T08:00:00+00:00", "question": "đổi bằng lái xe quốc tế", "status": "no_answer", "sources": []},
        {"time": "2026-11-22T09:00:00+00:00", "question": "kích hoạt VNeID", "status": "answered", "sources": ["a"]},
    ]
    gaps = gap_report(log, [])
    assert [g.count for g in gaps] == [2, 1]
    assert gaps[0].examples == ["gia vang hom nay bao nhieu", "giá vàng hôm nay"]
    assert gaps[0].last_seen.startswith("2026-11-21")
    csv = to_csv(gaps)
    assert csv.splitlines()[0] == "so_lan,lan_cuoi,ly_do,vi_du"
    assert "không có câu trả lời (2)" in csv


def test_figures_count_questions_per_day_and_answered_share():
    log = [
        {"time": "2026-11-20T08:00:00", "status": "answered", "sources": ["corpus/a.md"]},
        {"time": "2026-11-20T09:00:00", "status": "no_answer", "sources": []},
        {"time": "2026-11-21T09:00:00", "status": "answered", "sources": ["corpus/a.md"]},
    ]
    figs = figures(log)
    assert figs["per_day"] == {"2026-11-21": 1, "2026-11-20": 2}
    assert abs(figs["answered_share"] - 2 / 3) < 1e-9
    assert figs["top_guides"] == [("corpus/a.md", 2)]
