"""The step card a resident takes home: steps in order, a QR code that decodes to the source."""

from __future__ import annotations

import base64
import io
import re

import pytest
from PIL import Image

from assistant.models import Chunk
from assistant.stepcard import StepCard, render_html, render_pdf

CHUNK = Chunk(
    id="abc",
    text='1. Mở ứng dụng VNeID, chọn "Quên mật khẩu".\n2. Nhập số định danh cá nhân và số điện thoại.\n3. Nhập mã OTP rồi đặt mật khẩu mới.',
    title="Lấy lại mật khẩu VNeID khi bị quên",
    section="Các bước lấy lại mật khẩu",
    source="corpus/vneid/quen-mat-khau.md",
    url="https://dantri.com.vn/cong-nghe/cach-xu-ly-quen-mat-khau-vneid.htm",
    source_name="Báo Dân trí",
    checked="2026-11-25",
    topic="vneid",
    summary="Quên mật khẩu VNeID thì chọn “Quên mật khẩu” ở màn hình đăng nhập.",
)


def decode_qr(image: Image.Image) -> str:
    import zxingcpp

    results = zxingcpp.read_barcodes(image.convert("L"))
    assert results, "a QR code is found in the image"
    return results[0].text


def test_html_card_has_title_steps_note_date_and_a_qr_to_the_source():
    card = StepCard.from_chunk(CHUNK, note="Quầy số 3, sáng thứ Bảy vẫn làm việc")
    page = render_html(card)
    assert "<h1>Lấy lại mật khẩu VNeID khi bị quên</h1>" in page
    steps = re.findall(r"<li>(.*?)</li>", page)
    assert steps[0].startswith("Mở ứng dụng VNeID") and len(steps) == 3
    assert "Quầy số 3, sáng thứ Bảy vẫn làm việc" in page
    assert "2026-11-25" in page and "@page { size: A5" in page
    png = re.search(r'src="data:image/png;base64,([^"]+)"', page).group(1)
    assert decode_qr(Image.open(io.BytesIO(base64.b64decode(png)))) == CHUNK.url


def test_html_card_escapes_the_note():
    page = render_html(StepCard.from_chunk(CHUNK, note="<script>alert(1)</script>"))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_pdf_card_has_the_steps_and_a_decodable_qr():
    from pypdf import PdfReader

    pdf = PdfReader(io.BytesIO(render_pdf(StepCard.from_chunk(CHUNK, note="Quầy số 3"))))
    text = pdf.pages[0].extract_text()
    assert "1. Mở ứng dụng VNeID" in text and "3. Nhập mã OTP" in text
    assert "Quầy số 3" in text and "2026-11-25" in text
    images = pdf.pages[0].images
    assert decode_qr(images[0].image) == CHUNK.url


@pytest.mark.parametrize("note", ["", "x" * 1000])
def test_note_is_optional_and_bounded(note):
    card = StepCard.from_chunk(CHUNK, note=note)
    assert len(card.note) <= 300


def test_read_aloud_says_the_summary_then_each_step_and_cannot_close_the_script():
    from assistant.stepcard import read_aloud_js, spoken_parts

    card = StepCard.from_chunk(CHUNK)
    parts = spoken_parts(card)
    assert parts[0] == CHUNK.summary
    assert parts[1].startswith("Bước 1. Mở ứng dụng VNeID") and parts[3].startswith("Bước 3.")
    assert not any("https://" in p for p in parts), "the source is not read out"
    hostile = StepCard("T", "S", "</script><script>alert(1)</script>", ["a"], [], "https://x.vn", "n", "2026-11-25")
    assert "</script>" not in read_aloud_js(hostile)
    html_card = render_html(card)
    assert html_card.count("Đọc lại bước này") == 3 and "🔊 Nghe" in html_card


def test_the_guides_a_decline_names_link_to_their_step_cards_in_either_language():
    from assistant.models import Answer, Citation
    from assistant.ui.render import answer_markdown

    def guide(n: int, title: str) -> Citation:
        return Citation(n, f"corpus/vneid/g{n}.md", title, "Các bước", "https://example.gov.vn", "1. Bước.", 0.0,
                        "2026-11-25", f"corpus/vneid/g{n}.md#1")

    nearby = [guide(1, "Tra cứu & nộp phạt nguội trực tuyến"), guide(2, "Tra cứu & nộp phạt nguội")]
    vi = Answer("q", "no_answer", "Xin lỗi.\n\nCó thể bạn muốn hỏi:\n- Tra cứu & nộp phạt nguội trực tuyến\n"
                "- Tra cứu & nộp phạt nguội", suggestions=nearby)
    en = Answer("q", "no_answer", "Sorry.\n\nRelated guides (in Vietnamese):\n- Tra cứu & nộp phạt nguội trực tuyến\n"
                "- Tra cứu & nộp phạt nguội", suggestions=nearby)
    for answer in (vi, en):
        page = answer_markdown(answer)
        for n in (1, 2):
            assert page.count(f"/the-buoc?chunk=corpus%2Fvneid%2Fg{n}.md%231") == 1, page
        assert "&amp; nộp" in page and "& nộp" not in page  # titles stay escaped
    plain = Answer("q", "no_answer", "Xin lỗi.\n\n- Tra cứu & nộp phạt nguội")  # no suggestions: nothing linked
    assert "<a " not in answer_markdown(plain)
