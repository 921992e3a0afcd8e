"""A resident on a phone-sized screen asks without diacritics and sees steps and a citation."""

from __future__ import annotations

import pytest

from tests.browser import ROOT, chromium_page, running_server

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
        box = page.locator("#question textarea")
        box.fill("quen mat khau vneid thi lam sao")
        box.press("Enter")
        citation = page.locator("details.citation").first
        citation.wait_for(timeout=60_000)
        text = page.locator("#chat").inner_text()
        assert "Các bước:" in text
        steps = page.locator("#chat ol li")
        assert steps.count() >= 3
        page.wait_for_timeout(500)
        expect(steps.first).to_be_in_viewport()  # the first step shows without scrolling
        assert "Quên mật khẩu" in steps.first.inner_text() or "VNeID" in steps.first.inner_text()
        page.screenshot(path=str(SCREENSHOTS / "resident-phone.png"), full_page=True)
        citation.locator("summary").click()
        link = citation.locator("a").first
        assert link.get_attribute("href").startswith("https://")
        assert "Lấy lại mật khẩu VNeID" in citation.inner_text()
        # nothing overflows a 360 px screen sideways
        assert page.evaluate("document.documentElement.scrollWidth") <= 380
