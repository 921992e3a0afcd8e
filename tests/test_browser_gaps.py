"""The staff gap report as staff see it: loaded on opening, junk set apart, readable on a desktop and a phone."""

from __future__ import annotations

import json

import pytest

from tests.browser import ROOT, chromium_page, running_server
from tests.conftest import SMALL, copy_guides

pytestmark = pytest.mark.browser
SCREENSHOTS = ROOT / "docs" / "screenshots"
PASSWORD = "mat-khau-quan-tri-thu-nghiem"
# Pasted text, 5,000 characters: it must not fill the screen, but staff may still need to see it.
JUNK = ("Khiếu nại dán từ văn bản: " + "Lorem ipsum đơn thư số 12/2026 gửi UBND phường, " * 120)[:5000]
QUESTIONS = [
    ("2026-11-20T08:00:00+00:00", "giá vàng hôm nay bao nhiêu", "no_answer"),
    ("2026-11-21T08:30:00+00:00", "gia vang hom nay bao nhieu", "no_answer"),  # the same gap, typed without marks
    ("2026-11-21T09:00:00+00:00", "đổi bằng lái xe quốc tế ở đâu", "no_answer"),
    ("2026-11-22T07:00:00+00:00", JUNK, "no_answer"),
    ("2026-11-22T07:05:00+00:00", "thủ tục nhận nuôi chó mèo ở phường", "no_answer"),
    ("2026-11-22T08:00:00+00:00", "kích hoạt tài khoản VNeID", "answered"),
]
CELL_HEIGHT = """() => Math.max(...[...document.querySelectorAll(
    '#admin-gaps td, #admin-gaps th, #admin-gaps-junk td, #admin-gaps-junk th')].map(c => c.getBoundingClientRect().height))"""


@pytest.fixture
def staff_server(tmp_path):  # type: ignore[no-untyped-def]
    from assistant.auth import hash_password
    from assistant.settings import Settings
    from ingest.sync import sync

    corpus = copy_guides(tmp_path / "corpus", SMALL)
    data = tmp_path / "data"
    sync(Settings(data_dir=data, corpus_dir=corpus))
    log = Settings(data_dir=data).question_log_path
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w", encoding="utf-8") as fh:
        for time, question, status in QUESTIONS:
            sources = ["corpus/vneid/kich-hoat-tai-khoan.md"] if status == "answered" else []
            entry = {"time": time, "question": question, "status": status, "sources": sources, "ms": 12.5}
            fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
    env = {"ASSISTANT_CORPUS_DIR": str(corpus), "ASSISTANT_ADMIN_PASSWORD_HASH": hash_password(PASSWORD)}
    with running_server(data, env) as url:
        yield url


def login(page, url: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url + "/quan-tri")  # exactly as the resident page links it
    page.locator("input").nth(0).fill("admin")
    page.locator("input").nth(1).fill(password)
    page.get_by_role("button", name="Login").click()


def open_gap_report(page, url: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    login(page, url, PASSWORD)
    page.locator("#admin-save").wait_for(timeout=30_000)
    tab = page.get_by_role("tab", name="Câu hỏi chưa trả lời")
    if not tab.is_visible():  # on a phone the other tabs sit behind the "…" menu
        page.get_by_role("button", name="More tabs").click()
        tab = page.locator(".overflow-dropdown button", has_text="Câu hỏi chưa trả lời")
    tab.first.click()
    # no "Làm mới báo cáo": the report is there once the tab is open
    expect(page.locator("#admin-gaps")).to_contain_text("giá vàng hôm nay bao nhiêu", timeout=30_000)
    expect(page.locator("#admin-gaps-junk")).to_contain_text("Khiếu nại dán từ văn bản", timeout=30_000)


def check_report_reads_well(page) -> None:  # type: ignore[no-untyped-def]
    groups = page.locator("#admin-gaps")
    text = groups.inner_text()
    for question in ("gia vang hom nay bao nhieu", "đổi bằng lái xe quốc tế ở đâu", "thủ tục nhận nuôi chó mèo"):
        assert question in text
    assert "Khiếu nại" not in text, "the junk question is not mixed in with real gaps"
    assert "kích hoạt tài khoản VNeID" not in text, "answered questions are not gaps"
    first_row = groups.locator("tbody tr").first.inner_text()
    assert "giá vàng hôm nay bao nhiêu" in first_row and "không có câu trả lời (2)" in first_row, \
        "the two similar questions make one group, counted twice, listed first"
    assert groups.locator("tbody tr").count() == 3
    assert groups.locator("th").all_inner_texts() == ["số lần", "ví dụ", "lần cuối", "lý do"]

    junk = page.locator("#admin-gaps-junk")
    assert "Câu hỏi quá dài hoặc vô nghĩa" in junk.inner_text()
    shown = junk.locator("tbody li").first.inner_text()
    assert shown.startswith("Khiếu nại dán từ văn bản") and shown.endswith("…") and len(shown) <= 160
    assert "quá dài (5.000 ký tự)" in junk.inner_text()

    tallest = page.evaluate(CELL_HEIGHT)
    assert 0 < tallest <= 120, f"a table cell is {tallest:.0f} px tall"
    for section in ("#admin-gaps", "#admin-gaps-junk"):
        font = page.evaluate(f"getComputedStyle(document.querySelector('{section} th')).fontFamily")
        assert "mono" not in font.lower(), font


def test_gap_report_loads_on_opening_and_reads_well_on_desktop_and_phone(staff_server):
    url = staff_server
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with chromium_page(1280, 900) as page:
        open_gap_report(page, url)
        check_report_reads_well(page)
        href = page.locator("#admin-gaps-csv a").first.get_attribute("href")
        assert href, "the CSV export is offered without pressing refresh"
        csv = page.request.get(href if href.startswith("http") else url + href)
        assert csv.ok and JUNK in csv.body().decode("utf-8-sig"), "the export keeps the full question"
        page.screenshot(path=str(SCREENSHOTS / "admin-gaps.png"), full_page=True)

    with chromium_page(360, 780) as page:
        open_gap_report(page, url)
        check_report_reads_well(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 361, "the page scrolls sideways"
        box = page.locator("#admin-gaps table").locator("xpath=..")
        right = box.evaluate("b => b.getBoundingClientRect().right")
        assert right <= 361, "the table's box stays on the screen; the table scrolls inside it"
        page.screenshot(path=str(SCREENSHOTS / "admin-gaps-phone.png"), full_page=True)
