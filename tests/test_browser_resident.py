"""A resident on a phone-sized screen asks without diacritics and sees steps and a citation."""

from __future__ import annotations

import re

import pytest

from tests.browser import ROOT, assert_read_in_page, chromium_page, running_server

SCREENSHOTS = ROOT / "docs" / "screenshots"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(bundled_index):  # type: ignore[no-untyped-def]
    with running_server(bundled_index) as url:
        yield url


@pytest.fixture(autouse=True)
def screenshots_folder():  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)


def test_resident_asks_on_a_phone_and_sees_steps_and_a_citation(server):
    from playwright.sync_api import expect

    with chromium_page(width=360, height=740) as page:
        page.goto(server + "/")
        assert "Hỏi cách dùng" in page.locator("#ts-title").inner_text()
        box = page.locator("#question textarea")
        box.fill("quen mat khau vneid thi lam sao")
        box.press("Enter")
        citation = page.locator("details.citation").first
        citation.wait_for(timeout=60_000)
        text = page.locator("#chat").inner_text()
        assert re.search(r"Các bước[^:\n]*:", text)
        steps = page.locator("#chat ol li")
        assert steps.count() >= 3
        page.wait_for_timeout(500)
        # The answer is read in the page: its first step on screen, in no inner scrolling box, and the
        # question box still at hand below it.
        assert_read_in_page(steps.first)
        assert "Quên mật khẩu" in steps.first.inner_text() or "VNeID" in steps.first.inner_text()
        assert_read_in_page(box)
        title = page.locator("#ts-title").inner_text()  # the introduction has collapsed; the warning stays
        assert "Hỏi cách dùng" not in title and "OTP" in title
        page.screenshot(path=str(SCREENSHOTS / "resident-phone.png"))
        # The last step too, scrolling the page, not a box.
        steps.last.scroll_into_view_if_needed()
        assert_read_in_page(steps.last)
        citation.locator("summary").click()
        link = citation.locator("a").first
        assert link.get_attribute("href").startswith("https://")
        assert "Lấy lại mật khẩu VNeID" in citation.inner_text()
        expect(page.locator("#thumbs-up")).to_be_visible()
        # nothing overflows a 360 px screen sideways
        assert page.evaluate("document.documentElement.scrollWidth") <= 380
        # Nothing of the conversation is kept in the browser (Gradio's run history is off).
        stored = page.evaluate("JSON.stringify(localStorage) + JSON.stringify(sessionStorage)")
        assert "vneid" not in stored.lower(), stored[:300]


def test_a_declined_question_links_the_nearest_guides_step_card_on_a_phone(server):
    """Red-light fines are not in the guides: the reply says so, and the nearest guide it names opens
    as a step card with one tap."""
    with chromium_page(width=360, height=740) as page:
        page.goto(server + "/")
        box = page.locator("#question textarea")
        box.fill("mức phạt vượt đèn đỏ xe máy bao nhiêu tiền")
        box.press("Enter")
        page.get_by_text("Có thể bạn muốn hỏi").wait_for(timeout=60_000)
        assert page.locator("details.citation").count() == 0  # declined: nothing cited as the answer
        link = page.locator("#chat a[href^='/the-buoc?chunk=']").first
        title = link.inner_text()
        assert title
        assert_read_in_page(link)
        with page.context.expect_page() as opened:
            link.click()
        card = opened.value
        card.wait_for_load_state()
        assert card.locator("h1").inner_text() == title
        assert card.locator("ol.steps li, ul li").count() >= 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 380


def test_font_size_and_contrast_are_remembered_on_the_residents_own_phone(server):
    with chromium_page(width=360, height=740) as page:
        page.goto(server + "/")
        size = page.locator("#font-size input[type=number]")
        size.fill("24")
        size.press("Enter")
        page.locator("#high-contrast input").check()
        page.wait_for_function("getComputedStyle(document.documentElement).getPropertyValue('--ts-size') === '24px'")
        page.reload()
        page.wait_for_function("getComputedStyle(document.documentElement).getPropertyValue('--ts-size') === '24px'")
        assert size.input_value() == "24"
        assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('#ts-title p')).fontSize)") == 24
        page.wait_for_function("document.body.classList.contains('ts-contrast')")
        assert page.locator("#high-contrast input").is_checked()
