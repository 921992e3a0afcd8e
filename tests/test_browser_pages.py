"""Counter mode and staff admin, driven in Debian's Chromium against a real server."""

from __future__ import annotations

import io
import re
import shutil

import pytest

from tests.browser import ROOT, assert_read_in_page, chromium_page, running_server
from tests.conftest import SMALL, copy_guides

pytestmark = pytest.mark.browser
SCREENSHOTS = ROOT / "docs" / "screenshots"
PASSWORD = "mat-khau-quan-tri-thu-nghiem"

NEW_GUIDE = """---
title: Đăng ký thẻ thư viện điện tử của phường
topic: dichvucong
source_url: https://thuvien.example.gov.vn/huong-dan
source_name: Thư viện phường (dữ liệu thử nghiệm)
checked: 2026-11-25
---
# Đăng ký thẻ thư viện điện tử của phường

Thẻ thư viện điện tử được đăng ký trực tuyến bằng tài khoản VNeID mức 2.

## Các bước đăng ký thẻ thư viện điện tử
1. Mở trang thư viện điện tử của phường.
2. Chọn "Đăng ký thẻ thư viện" và đăng nhập bằng VNeID.
3. Nhận thẻ thư viện điện tử trong mục "Thẻ của tôi".

## Lưu ý
- Thẻ thư viện điện tử không mất phí theo trang thử nghiệm này.

## Cần hỗ trợ
- Hỏi cán bộ thư viện tại nhà văn hóa phường.
"""


@pytest.fixture(scope="module")
def bundled_server(bundled_index):  # type: ignore[no-untyped-def]
    with running_server(bundled_index) as url:
        yield url


@pytest.fixture
def staff_server(tmp_path):  # type: ignore[no-untyped-def]
    from assistant.auth import hash_password
    from assistant.settings import Settings
    from ingest.sync import sync

    corpus = copy_guides(tmp_path / "corpus", SMALL)
    data = tmp_path / "data"
    sync(Settings(data_dir=data, corpus_dir=corpus))
    env = {"ASSISTANT_CORPUS_DIR": str(corpus), "ASSISTANT_ADMIN_PASSWORD_HASH": hash_password(PASSWORD),
           "ASSISTANT_ADMIN_MAX_FAILURES": "2"}
    with running_server(data, env) as url:
        yield url, corpus, tmp_path


def decode_qr(image) -> str:  # type: ignore[no-untyped-def]
    import zxingcpp

    return zxingcpp.read_barcodes(image.convert("L"))[0].text


def test_ambassador_prints_a_step_card_with_steps_and_a_qr_to_the_source(bundled_server):
    from pypdf import PdfReader

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with chromium_page(1280, 900) as page:
        page.goto(bundled_server + "/quay")  # exactly as the resident page links it
        box = page.locator("#counter-question textarea")
        box.fill("Làm sao để kích hoạt tài khoản VNeID?")
        box.press("Enter")
        page.locator("#card-pdf").wait_for(timeout=60_000)
        answer = page.locator("#counter-answer").inner_text()
        assert "Cập nhật ứng dụng VNeID" in answer
        page.locator("#counter-note textarea").fill("Quầy số 2, mở cả sáng thứ Bảy")
        page.locator("#counter-note textarea").press("Tab")
        page.wait_for_function("document.querySelector('#card-pdf').href.includes('note=')")
        page.screenshot(path=str(SCREENSHOTS / "counter.png"), full_page=True)

        pdf_url = page.locator("#card-pdf").get_attribute("href")
        response = page.request.get(bundled_server + pdf_url)
        assert response.ok and response.headers["content-type"] == "application/pdf"
        pdf = PdfReader(io.BytesIO(response.body()))
        text = pdf.pages[0].extract_text()
        assert "1. Cập nhật ứng dụng VNeID" in text and "Quầy số 2" in text
        source = page.locator("#counter-card small").inner_text()
        assert "Kích hoạt tài khoản" in source
        qr = decode_qr(pdf.pages[0].images[0].image)
        assert qr.startswith("https://")

        card = page.context.new_page()
        card.goto(bundled_server + page.locator("#card-print").get_attribute("href"))
        assert card.locator("ol.steps li").count() >= 5
        assert qr in card.locator(".url").inner_text()

        page.locator("#counter-clear").click()
        page.wait_for_function("!document.querySelector('#counter-answer').innerText.includes('VNeID')")
        stored = page.evaluate("JSON.stringify(localStorage) + JSON.stringify(sessionStorage)")
        assert "kích hoạt" not in stored.lower()


def test_counter_on_a_phone_shows_the_first_step_in_the_page_and_keeps_nothing(bundled_server):
    with chromium_page(360, 740) as page:
        page.goto(bundled_server + "/quay")
        box = page.locator("#counter-question textarea")
        box.fill("quen mat khau vneid")
        box.press("Enter")
        page.locator("#card-pdf").wait_for(timeout=60_000)
        first = page.locator("#counter-answer ol li").first
        first.scroll_into_view_if_needed()
        assert_read_in_page(first)
        assert "Quên mật khẩu" in first.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 380
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(SCREENSHOTS / "counter-phone.png"))
        # A shared counter computer keeps nothing of the session in the browser.
        assert page.evaluate("localStorage.length + sessionStorage.length") == 0


def test_resident_page_screenshot_on_desktop(bundled_server):
    with chromium_page(1280, 900) as page:
        page.goto(bundled_server + "/")
        page.locator("#question textarea").fill("chuyen khoan nham tai khoan phai lam sao")
        page.locator("#question textarea").press("Enter")
        page.locator("details.citation").first.wait_for(timeout=60_000)
        assert "Cảnh báo" in page.locator("#chat").inner_text()
        page.screenshot(path=str(SCREENSHOTS / "resident-desktop.png"))


def login(page, url: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url + "/quan-tri")  # exactly as the resident page links it
    page.locator("input").nth(0).fill("admin")
    page.locator("input").nth(1).fill(password)
    page.get_by_role("button", name="Login").click()


def test_wrong_admin_password_is_refused(staff_server):
    url, _, _ = staff_server
    with chromium_page() as page:
        login(page, url, "doan-bua")
        page.get_by_text("Incorrect Credentials").wait_for(timeout=30_000)
        assert page.locator("#admin-save").count() == 0
        # the second failure (ASSISTANT_ADMIN_MAX_FAILURES=2) locks this address and says until when
        login(page, url, "doan-bua-lan-hai")
        page.get_by_text("tạm khóa đến").wait_for(timeout=30_000)
        assert re.search(r"tạm khóa đến \d\d:\d\d", page.inner_text("body"))
        page.goto(url + "/quan-tri")
        assert "tạm khóa đến" in page.inner_text("body")


def test_staff_upload_preview_ingest_then_residents_get_answers_and_gaps_show(staff_server):
    from playwright.sync_api import expect

    url, corpus, tmp_path = staff_server
    guide = tmp_path / "the-thu-vien.md"
    guide.write_text(NEW_GUIDE, encoding="utf-8")
    with chromium_page(1280, 1000) as page:
        # an off-topic question a resident asks first, for the gap report
        page.goto(url + "/")
        page.locator("#question textarea").fill("giá vàng hôm nay bao nhiêu")
        page.locator("#question textarea").press("Enter")
        page.get_by_text("chưa nói về câu hỏi này").wait_for(timeout=60_000)

        login(page, url, PASSWORD)
        page.locator("#admin-save").wait_for(timeout=30_000)
        page.locator("#admin-files input[type=file]").set_input_files(str(guide))
        page.locator("#admin-topic input").fill("dichvucong")
        page.locator("#admin-topic input").press("Enter")
        page.wait_for_timeout(1500)
        page.locator("#admin-save").click()
        page.get_by_text("Đã lưu:").wait_for(timeout=30_000)
        assert (corpus / "dichvucong" / "the-thu-vien.md").exists()

        page.locator("#admin-preview").click()
        plan = page.locator("#admin-plan")
        plan.get_by_text("thêm mới").wait_for(timeout=30_000)
        assert "the-thu-vien.md" in plan.inner_text()
        page.screenshot(path=str(SCREENSHOTS / "admin.png"), full_page=True)

        page.locator("#admin-ingest").click()
        page.locator("#admin-report").get_by_text("Đã nạp xong").wait_for(timeout=120_000)

        page.get_by_role("tab", name="Câu hỏi chưa trả lời").click()
        page.locator("#admin-gaps-refresh").click()
        expect(page.locator("#admin-gaps")).to_contain_text("giá vàng hôm nay bao nhiêu", timeout=30_000)

        page.goto(url + "/")
        page.locator("#question textarea").fill("dang ky the thu vien dien tu cua phuong")
        page.locator("#question textarea").press("Enter")
        page.locator("details.citation").first.wait_for(timeout=60_000)
        assert "Đăng ký thẻ thư viện điện tử của phường" in page.locator("details.citation").first.inner_text()
    shutil.rmtree(corpus, ignore_errors=True)


def step_card_url(data_dir, guide: str) -> str:  # type: ignore[no-untyped-def]
    from assistant.settings import Settings
    from assistant.store import load_chunks, read_pointer

    settings = Settings(data_dir=data_dir)
    chunks = load_chunks(settings, read_pointer(settings))
    chunk = next(c for c in chunks if c.source.endswith(guide) and "\n1. " in "\n" + c.text)
    return f"/the-buoc?chunk={chunk.id}"


FAKE_VOICE = """
window.__spoken = [];
const fakeVoice = {lang: 'vi-VN', name: 'Tiếng Việt (thử nghiệm)'};
Object.defineProperty(window, 'speechSynthesis', {configurable: true, value: {
  paused: false, getVoices: () => [fakeVoice], speak: (u) => window.__spoken.push(u.text),
  cancel: () => {}, pause: () => {}, resume: () => {}}});
window.SpeechSynthesisUtterance = function (text) { this.text = text; };  // the real one accepts only real voices
"""


def test_step_card_reads_aloud_with_the_browser_voice_when_there_is_one(bundled_server, bundled_index):
    with chromium_page(390, 800) as page:
        page.add_init_script(FAKE_VOICE)
        page.goto(bundled_server + step_card_url(bundled_index, "kich-hoat-tai-khoan.md"))
        page.get_by_role("button", name="🔊 Nghe").click()
        page.wait_for_function("document.body.dataset.reading === 'voice'")
        spoken = page.evaluate("window.__spoken")
        assert spoken[1].startswith("Bước 1.") and len(spoken) == page.locator("ol.steps li").count() + 1
        assert not any("http" in s for s in spoken)
        page.get_by_role("button", name="Đọc lại bước 2").click()
        assert page.evaluate("window.__spoken").pop().startswith("Bước 2.")


def test_step_card_plays_server_audio_when_the_browser_has_no_voice(bundled_server, bundled_index):
    with chromium_page(390, 800) as page:
        page.add_init_script("window.speechSynthesis.getVoices = () => [];")
        page.goto(bundled_server + step_card_url(bundled_index, "kich-hoat-tai-khoan.md"))
        with page.expect_response(lambda r: r.url.endswith("/nghe")) as response:
            page.get_by_role("button", name="🔊 Nghe").click()
        assert response.value.ok and response.value.headers["content-type"] == "audio/wav"
        page.wait_for_function("document.body.dataset.reading === 'server'")
        page.wait_for_function("window.lastAudio && window.lastAudio.duration > 5", timeout=30_000)
        page.get_by_role("button", name="⏹ Dừng").click()
        assert page.evaluate("window.lastAudio.paused")


def test_resident_hears_the_last_answer_on_a_phone(bundled_server):
    with chromium_page(360, 740) as page:
        page.add_init_script(FAKE_VOICE)
        page.goto(bundled_server + "/")
        page.locator("#question textarea").fill("Làm sao để kích hoạt tài khoản VNeID?")
        page.locator("#question textarea").press("Enter")
        page.locator("details.citation").first.wait_for(timeout=60_000)
        page.locator("#listen").click()
        page.wait_for_function("document.body.dataset.reading === 'voice'")
        spoken = page.evaluate("window.__spoken")
        assert any(p.startswith("Bước 1.") for p in spoken), spoken
        assert not any("Nguồn" in p or "http" in p or "[1]" in p for p in spoken), spoken
        page.get_by_role("button", name="Đọc lại bước 3").click()  # each step has its own button once listening
        again = page.evaluate("window.__spoken").pop()
        first_time = next(p for p in spoken if p.startswith("Bước 3."))
        assert " ".join(again.split()) == " ".join(first_time.split()), (again, first_time)


def test_counter_reads_the_answer_with_server_audio_when_there_is_no_voice(bundled_server):
    with chromium_page(1280, 900) as page:
        page.add_init_script("window.speechSynthesis.getVoices = () => [];")
        page.goto(bundled_server + "/quay")
        page.locator("#counter-question textarea").fill("quên mật khẩu VNeID")
        page.locator("#counter-question textarea").press("Enter")
        page.locator("#card-pdf").wait_for(timeout=60_000)
        with page.expect_response(lambda r: r.url.endswith("/nghe")) as response:
            page.locator("#counter-listen").click()
        assert response.value.ok
        page.wait_for_function("window.lastAudio && window.lastAudio.duration > 3", timeout=30_000)
        page.locator("#counter-listen-stop").click()
        assert page.evaluate("window.lastAudio.paused")
