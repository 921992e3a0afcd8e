"""Staff-side pieces without a browser: passwords, lockout, feedback, gap report."""

from __future__ import annotations

from assistant.auth import LoginGuard, hash_password, verify_password
from assistant.feedback import FeedbackStore
from assistant.gaps import DISPLAY_LIMIT, display_rows, figures, gap_report, gap_sections, junk_reason, shorten, to_csv


def test_password_hash_verifies_only_the_right_password():
    stored = hash_password("mat-khau-rat-dai-2026")
    assert stored.startswith("pbkdf2_sha256$")
    assert verify_password("mat-khau-rat-dai-2026", stored)
    assert not verify_password("mat-khau-sai", stored)
    assert not verify_password("x", "not-a-hash")


def test_guard_locks_the_failing_address_only_until_its_lockout_ends():
    now = [1_000_000.0]
    guard = LoginGuard(limit=3, global_limit=100, window=60, lockout=60, delay=0, clock=lambda: now[0])
    assert guard.failed("10.0.0.1") is None and guard.failed("10.0.0.1") is None
    assert guard.failed("10.0.0.1") == 1_000_060.0, "the third failure starts the lockout"
    assert guard.locked_until("10.0.0.1") == 1_000_060.0
    assert guard.locked_until("10.0.0.2") is None, "another address is not locked"
    now[0] += 61
    assert guard.locked_until("10.0.0.1") is None


def test_failures_outside_the_window_do_not_count_and_success_clears_them():
    now = [0.0]
    guard = LoginGuard(limit=2, window=60, lockout=60, delay=0, clock=lambda: now[0])
    guard.failed("a")
    now[0] += 61
    assert guard.failed("a") is None, "the first failure is out of the window"
    guard.succeeded("a")
    assert guard.failed("a") is None


def test_many_addresses_together_reach_the_global_ceiling():
    guard = LoginGuard(limit=5, global_limit=4, window=60, lockout=60, delay=0, clock=lambda: 0.0)
    for address in ("a", "b", "c"):
        assert guard.failed(address) is None
    assert guard.failed("d") is not None
    assert guard.locked_until("someone-else") is not None, "a spread-out attack locks the login for all"


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


def test_shorten_keeps_short_questions_and_cuts_long_ones_with_an_ellipsis():
    assert shorten("  giá vàng\n hôm nay  ") == "giá vàng hôm nay"
    long_words = "làm sao để đăng ký tài khoản định danh điện tử " * 10
    cut = shorten(long_words)
    assert len(cut) <= DISPLAY_LIMIT and cut.endswith("…")
    assert long_words.startswith(cut[:-1]) and not cut[:-1].endswith(" "), "cut at a word boundary"
    unbroken = shorten("x" * 5000, 20)
    assert unbroken == "x" * 19 + "…"
    assert shorten("a" * DISPLAY_LIMIT) == "a" * DISPLAY_LIMIT, "exactly the limit is not cut"


def test_junk_reason_sets_apart_long_symbol_and_repeated_questions_only():
    assert junk_reason("x" * 5000) == "quá dài (5.000 ký tự)"
    assert junk_reason("hỏi " * 80) is not None, "over 300 characters"
    assert junk_reason("?!?!?! ### 123") == "không có chữ"
    assert junk_reason("a#$%^&*()!!") == "phần lớn là ký hiệu"
    assert junk_reason("aaaaaaa") == junk_reason("hà hà hà hà") == junk_reason("alo alo alo alo") is not None
    assert junk_reason("giá vàng giá vàng giá vàng") is not None
    for real in ("giá vàng hôm nay", "VNeID", "mã 123456 là gì?", "làm sao để làm thẻ", "ok",
                 "Tôi quên mật khẩu VNeID, làm sao lấy lại được?"):
        assert junk_reason(real) is None, real


def test_gap_sections_group_junk_apart_and_keep_full_text_for_the_csv():
    junk = "Đ" * 5000
    log = [
        {"time": "2026-11-20T08:00:00+00:00", "question": "giá vàng hôm nay", "status": "no_answer", "sources": []},
        {"time": "2026-11-21T08:00:00+00:00", "question": junk, "status": "no_answer", "sources": []},
        {"time": "2026-11-21T09:00:00+00:00", "question": "!!!!!!!!", "status": "no_answer", "sources": []},
        {"time": "2026-11-22T08:00:00+00:00", "question": "gia vang hom nay bao nhieu", "status": "no_answer",
         "sources": []},
    ]
    sections = gap_sections(log, [])
    assert [g.examples for g in sections.groups] == [["gia vang hom nay bao nhieu", "giá vàng hôm nay"]]
    assert sorted(q for g in sections.junk for q in g.examples) == sorted([junk, "!!!!!!!!"])
    rows = display_rows(sections.junk)
    shown = next(r for r in rows if r.examples[0].startswith("Đ"))
    assert len(shown.examples[0]) <= DISPLAY_LIMIT and shown.examples[0].endswith("…")
    assert "không có câu trả lời (1)" in shown.reasons and "quá dài (5.000 ký tự)" in shown.reasons
    assert shown.last_seen == "2026-11-21 08:00"
    assert display_rows(sections.groups)[0].reasons == "không có câu trả lời (2)"
    assert junk in to_csv(sections.groups + sections.junk), "the export keeps the full question"


def test_gap_table_html_escapes_questions_and_clamps_cells():
    from assistant.gaps import GapRow
    from assistant.ui.admin import GAP_HEADERS, gap_table_html

    rows = [GapRow(2, "2026-11-21 08:00", "không có câu trả lời (2)", ['<script>alert("x")</script>', "a & b"])]
    page = gap_table_html(rows, "Nhóm câu hỏi", "ghi chú", "trống")
    assert "<script>" not in page and "&lt;script&gt;" in page and "a &amp; b" in page
    assert all(f">{h}</th>" in page for h in GAP_HEADERS)
    assert "max-height" in page and "overflow-x:auto" in page and "monospace" not in page
    assert "Nhóm câu hỏi (1)" in page
    empty = gap_table_html([], "Câu hỏi quá dài hoặc vô nghĩa", "ghi chú", "Không có câu hỏi nào.")
    assert "<table" not in empty and "Không có câu hỏi nào." in empty and "(0)" in empty


def test_gap_export_never_hands_a_spreadsheet_a_formula():
    import csv
    import io

    log = [{"time": "2026-11-22T08:00:00+00:00", "question": '=HYPERLINK("http://x.example","bấm")',
            "status": "no_answer", "sources": []}]
    [row] = list(csv.reader(io.StringIO(to_csv(gap_report(log, [])))))[1:]
    assert row[3].startswith("'=HYPERLINK"), row
