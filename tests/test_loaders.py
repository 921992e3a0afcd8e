"""Loaders: every accepted format becomes a Markdown-like, NFC document, and every bad file one clear error.

Each test writes real files into its own temporary folder (PDF with fpdf2, Word with python-docx),
loads them with the project's loader and checks the body and metadata, or the exact message.
"""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import pytest

from assistant.errors import CorpusError
from assistant.guide_format import SUMMARY_SECTION
from ingest.loaders import MB, load, supported
from ingest.splitter import split


def find_dejavu() -> Path | None:
    """A TTF font with Vietnamese letters: fpdf2's core fonts cannot encode them."""
    import importlib.util

    places = [Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")]
    spec = importlib.util.find_spec("matplotlib")
    if spec is not None and spec.submodule_search_locations:
        places += [Path(p) / "mpl-data/fonts/ttf/DejaVuSans.ttf" for p in spec.submodule_search_locations]
    return next((p for p in places if p.is_file()), None)


FONT = find_dejavu()

SIDECAR_META = """\
title: Đăng ký tạm trú trên VNeID
source_url: https://dichvucong.bocongan.gov.vn/dang-ky-tam-tru
source_name: Bộ Công an
checked: 2026-11-25
"""


@pytest.fixture
def topic_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus" / "vneid"
    folder.mkdir(parents=True)
    return folder


def source_of(path: Path) -> str:
    return f"corpus/vneid/{path.name}"


def load_error(path: Path, max_bytes: int | None = None) -> str:
    with pytest.raises(CorpusError) as caught:
        load(path, source_of(path), max_bytes=max_bytes)
    return str(caught.value)


def with_sidecar(path: Path, text: str = SIDECAR_META) -> Path:
    path.with_name(path.name + ".meta.yml").write_text(text, encoding="utf-8")
    return path


def cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows wrote it: tone marks as separate combining characters."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = b""
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out += (base + "".join(c for c in parts if c in tones)).encode("cp1258")
    return out


def write_pdf(path: Path, lines: list[str], info: dict[str, str] | None = None) -> Path:
    from fpdf import FPDF
    from pypdf import PdfReader, PdfWriter

    pdf = FPDF()
    pdf.add_page()
    if FONT is not None:
        pdf.add_font("DejaVu", fname=str(FONT))
        pdf.set_font("DejaVu", size=12)
    else:  # fpdf2's core fonts cannot encode Vietnamese
        pdf.set_font("Helvetica", size=12)
    for line in lines:
        pdf.multi_cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(bytes(pdf.output()))))
    if info:
        writer.add_metadata(info)
    with open(path, "wb") as fh:
        writer.write(fh)
    return path


PDF_LINES = (
    ["Đăng ký tạm trú trên VNeID", "Bước 1: Mở ứng dụng VNeID và đăng nhập."]
    if FONT is not None
    else ["Dang ky tam tru tren VNeID", "Buoc 1: Mo ung dung VNeID va dang nhap."]
)


# Text and encodings ---------------------------------------------------------------------------


def test_text_guide_takes_metadata_from_its_sidecar(topic_dir):
    path = with_sidecar(topic_dir / "tam-tru.txt")
    path.write_text("Đăng ký tạm trú ngay trên điện thoại.\r\n\r\n## Các bước\r\n1. Mở VNeID.\r\n", encoding="utf-8")
    doc = load(path, source_of(path))
    assert doc.source == "corpus/vneid/tam-tru.txt"
    assert doc.body == "Đăng ký tạm trú ngay trên điện thoại.\n\n## Các bước\n1. Mở VNeID."
    assert doc.meta == {
        "title": "Đăng ký tạm trú trên VNeID",
        "topic": "vneid",
        "source_url": "https://dichvucong.bocongan.gov.vn/dang-ky-tam-tru",
        "source_name": "Bộ Công an",
        "checked": "2026-11-25",
    }


def test_utf8_with_bom_and_decomposed_accents_comes_out_nfc(topic_dir):
    path = with_sidecar(topic_dir / "bom.txt")
    path.write_bytes(b"\xef\xbb\xbf" + unicodedata.normalize("NFD", "Đăng ký tạm trú").encode("utf-8"))
    assert load(path, source_of(path)).body == "Đăng ký tạm trú"


def test_utf16_text_with_bom_is_decoded(topic_dir):
    path = with_sidecar(topic_dir / "utf16.txt")
    path.write_bytes("Cập nhật thông tin cư trú".encode("utf-16"))
    assert load(path, source_of(path)).body == "Cập nhật thông tin cư trú"


def test_windows_1258_text_is_decoded_and_normalised(topic_dir):
    path = with_sidecar(topic_dir / "cu.txt")
    path.write_bytes(cp1258("Đăng ký tạm trú, cập nhật những điều cần biết."))
    body = load(path, source_of(path)).body
    assert body == "Đăng ký tạm trú, cập nhật những điều cần biết."
    assert unicodedata.is_normalized("NFC", body)


def test_tcvn3_text_is_refused_instead_of_indexing_mojibake(topic_dir):
    path = with_sidecar(topic_dir / "tcvn3.txt")
    path.write_bytes("§¨ng ký t¹m tró qua øng dông VNeID".encode("latin-1"))
    assert load_error(path) == "corpus/vneid/tcvn3.txt: mã TCVN3/VNI cũ, hãy chuyển sang Unicode (UTF-8)"


def test_tcvn3_mojibake_saved_as_utf8_is_refused_too(topic_dir):
    path = with_sidecar(topic_dir / "dan-lai.md")
    path.write_text("---\n" + SIDECAR_META + "topic: vneid\n---\n§¨ng ký t¹m tró qua øng dông\n", encoding="utf-8")
    assert load_error(path) == "corpus/vneid/dan-lai.md: mã TCVN3/VNI cũ, hãy chuyển sang Unicode (UTF-8)"


def test_vni_text_is_refused_instead_of_indexing_mojibake(topic_dir):
    path = with_sidecar(topic_dir / "vni.txt")
    path.write_bytes("Ñaêng kyù taïm truù treân öùng duïng".encode("latin-1"))
    assert load_error(path) == "corpus/vneid/vni.txt: mã TCVN3/VNI cũ, hãy chuyển sang Unicode (UTF-8)"


def test_a_few_unit_signs_in_unicode_text_are_not_taken_for_tcvn3(topic_dir):
    path = with_sidecar(topic_dir / "don-vi.txt")
    path.write_text("Ảnh chân dung 4x6 cm, nền trắng, dung lượng dưới 2 MB; phòng 20 m² ở VNeID® điểm hỗ trợ.",
                    encoding="utf-8")
    assert "m²" in load(path, source_of(path)).body


def test_text_in_another_legacy_code_page_is_reported(topic_dir):
    path = with_sidecar(topic_dir / "gbk.txt")
    path.write_bytes("中文内容说明。".encode("gbk") * 20)
    assert load_error(path) == "corpus/vneid/gbk.txt: không đọc được mã ký tự (cần UTF-8)"


def test_binary_bytes_named_md_are_refused(topic_dir):
    path = topic_dir / "anh.md"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    assert load_error(path) == "corpus/vneid/anh.md: tệp nhị phân, không phải văn bản"


def test_control_bytes_without_nul_are_taken_for_binary(topic_dir):
    path = topic_dir / "rac.txt"
    path.write_bytes(bytes(b for b in range(1, 256) if b not in (9, 10, 13)) * 8)
    assert load_error(path) == "corpus/vneid/rac.txt: tệp nhị phân, không phải văn bản"


@pytest.mark.parametrize("name", ["rong.txt", "rong.md", "rong.html", "rong.pdf", "rong.docx"])
def test_zero_byte_file_is_reported_as_empty(topic_dir, name):
    path = topic_dir / name
    path.write_bytes(b"")
    assert load_error(path) == f"corpus/vneid/{name}: tệp rỗng"


@pytest.mark.parametrize("name", ["trang.txt", "trang.md", "trang.html"])
def test_whitespace_only_text_file_is_reported_as_empty(topic_dir, name):
    path = topic_dir / name
    path.write_bytes(b" \n\t\r\n ")
    assert load_error(path) == f"corpus/vneid/{name}: tệp rỗng"


# HTML -----------------------------------------------------------------------------------------

PAGE = """<!doctype html>
<html lang="vi"><head>
<title>Đăng ký tạm trú - Cổng dịch vụ công</title>
<meta charset="utf-8">
<meta name="source_name" content="Bộ Công an">
<meta name="checked" content="2026-11-25">
<meta name="topic" content="dichvucong">
<link rel="canonical" href="https://dichvucong.gov.vn/tam-tru">
<script>var tracking = "không được đọc";</script><style>p { color: red }</style>
</head><body>
<header><a href="/">Trang chủ</a></header>
<nav><ul><li>Menu một</li><li>Menu hai</li></ul></nav>
<main>
  <article>
    <header><h1>Đăng ký tạm trú trực tuyến</h1></header>
    <p>Đăng ký tạm trú qua <a href="#">Cổng dịch vụ công</a> mà không cần đến trụ sở.</p>
    <h2>Các bước</h2>
    <ol><li>Đăng nhập bằng tài khoản <strong>VNeID</strong>.</li><li>Chọn thủ tục
      <ul><li>Đăng ký tạm trú</li></ul></li></ol>
    <h3>Giấy tờ</h3>
    <table><tr><th>Giấy tờ</th><th>Số bản</th></tr><tr><td>Tờ khai CT01</td><td>1</td></tr></table>
    <h2>Lưu ý</h2>
    <ul><li>Không chia sẻ mã OTP.</li></ul>
    <form><input value="Tìm kiếm"></form>
    <aside>Tin liên quan</aside>
    <!-- bình luận ẩn -->
  </article>
</main>
<footer>Bản quyền 2026</footer>
<noscript>Bật JavaScript</noscript>
</body></html>
"""


def test_html_keeps_main_content_as_markdown_and_drops_page_noise(topic_dir):
    path = topic_dir / "tam-tru.html"
    path.write_text(PAGE, encoding="utf-8")
    doc = load(path, source_of(path))
    assert doc.body == (
        "# Đăng ký tạm trú trực tuyến\n\n"
        "Đăng ký tạm trú qua Cổng dịch vụ công mà không cần đến trụ sở.\n\n"
        "## Các bước\n\n"
        "1. Đăng nhập bằng tài khoản VNeID.\n"
        "2. Chọn thủ tục\n"
        "  - Đăng ký tạm trú\n\n"
        "### Giấy tờ\n\n"
        "Giấy tờ | Số bản\n\n"
        "Tờ khai CT01 | 1\n\n"
        "## Lưu ý\n\n"
        "- Không chia sẻ mã OTP."
    )
    assert doc.meta == {
        "title": "Đăng ký tạm trú trực tuyến",
        "topic": "dichvucong",
        "source_url": "https://dichvucong.gov.vn/tam-tru",
        "source_name": "Bộ Công an",
        "checked": "2026-11-25",
    }


def test_html_without_main_reads_body_without_site_header_and_title_from_title_tag(topic_dir):
    path = topic_dir / "trang.htm"
    path.write_text(
        '<html><head><title>Quên mật khẩu VNeID</title><meta name="source_url" content="https://vneid.gov.vn/a">'
        '<meta name="source_name" content="Bộ Công an"><meta name="checked" content="2026-11-25"></head>'
        "<body><header>Logo</header><div>Chọn <b>Quên mật khẩu</b> ở màn hình đăng nhập.<br>Nhập số định danh.</div>"
        "<footer>Liên hệ</footer></body></html>",
        encoding="utf-8",
    )
    doc = load(path, source_of(path))
    assert doc.body == "Chọn Quên mật khẩu ở màn hình đăng nhập.\n\nNhập số định danh."
    assert (doc.meta["title"], doc.meta["topic"], doc.meta["source_url"]) == (
        "Quên mật khẩu VNeID", "vneid", "https://vneid.gov.vn/a"
    )


def test_html_page_with_only_navigation_has_no_content(topic_dir):
    path = with_sidecar(topic_dir / "menu.html")
    path.write_text("<html><body><nav>Trang chủ</nav><script>x()</script><footer>©</footer></body></html>")
    assert load_error(path) == "corpus/vneid/menu.html: không có nội dung"


def test_absurdly_nested_html_is_reported_not_crashing_the_ingest(topic_dir):
    path = with_sidecar(topic_dir / "long.html")
    path.write_text("<div>" * 5000 + "Nội dung" + "</div>" * 5000, encoding="utf-8")
    assert load_error(path) == "corpus/vneid/long.html: tệp HTML lồng thẻ quá sâu, không đọc được"


# PDF ------------------------------------------------------------------------------------------


def test_pdf_text_and_embedded_metadata_are_read(topic_dir):
    path = write_pdf(topic_dir / "tam-tru.pdf", PDF_LINES, {
        "/Title": "Đăng ký tạm trú trên VNeID", "/SourceURL": "https://vneid.gov.vn/tam-tru",
        "/SourceName": "Bộ Công an", "/Checked": "2026-11-25",
    })
    doc = load(path, source_of(path))
    assert doc.body.split("\n") == PDF_LINES
    assert doc.meta == {
        "title": "Đăng ký tạm trú trên VNeID",
        "topic": "vneid",
        "source_url": "https://vneid.gov.vn/tam-tru",
        "source_name": "Bộ Công an",
        "checked": "2026-11-25",
    }


def test_pdf_sidecar_wins_over_embedded_metadata(topic_dir):
    path = write_pdf(topic_dir / "huong-dan.pdf", PDF_LINES, {"/Title": "Untitled", "/SourceURL": "https://x.vn/cu"})
    with_sidecar(path)
    meta = load(path, source_of(path)).meta
    assert meta["title"] == "Đăng ký tạm trú trên VNeID"
    assert meta["source_url"] == "https://dichvucong.bocongan.gov.vn/dang-ky-tam-tru"


def encrypted_pdf(topic_dir, name: str, user_password: str):  # type: ignore[no-untyped-def]
    """A PDF of PDF_LINES encrypted with `user_password` (empty: opens freely, locked against editing)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(write_pdf(topic_dir / "plain.pdf", PDF_LINES)))
    writer.encrypt(user_password=user_password, owner_password="chu-so-huu")
    path = with_sidecar(topic_dir / name)
    with open(path, "wb") as fh:
        writer.write(fh)
    return path


def test_password_protected_pdf_is_reported_and_not_read(topic_dir):
    path = encrypted_pdf(topic_dir, "mat-khau.pdf", "bi-mat")
    assert load_error(path) == "corpus/vneid/mat-khau.pdf: tệp PDF có mật khẩu"


def test_pdf_locked_only_against_editing_is_read(topic_dir):
    path = encrypted_pdf(topic_dir, "khoa-sua.pdf", "")
    assert load(path, source_of(path)).body.split("\n") == PDF_LINES


def test_truncated_pdf_is_reported_as_damaged(topic_dir):
    whole = write_pdf(topic_dir / "whole.pdf", PDF_LINES).read_bytes()
    path = with_sidecar(topic_dir / "hong.pdf")
    path.write_bytes(whole[: len(whole) // 2])
    assert load_error(path) == "corpus/vneid/hong.pdf: tệp PDF hỏng"


def test_text_file_named_pdf_is_reported_as_damaged(topic_dir):
    path = with_sidecar(topic_dir / "gia.pdf")
    path.write_text("Đây không phải PDF", encoding="utf-8")
    assert load_error(path) == "corpus/vneid/gia.pdf: tệp PDF hỏng"


def test_pdf_without_text_is_reported_as_probably_scanned(topic_dir):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    path = with_sidecar(topic_dir / "anh-quet.pdf")
    with open(path, "wb") as fh:
        writer.write(fh)
    assert load_error(path) == "corpus/vneid/anh-quet.pdf: không có chữ để đọc (có thể là ảnh quét)"


# Word -----------------------------------------------------------------------------------------


def write_docx(path: Path, build) -> Path:  # type: ignore[no-untyped-def]
    import docx

    document = docx.Document()
    build(document)
    document.save(str(path))
    return path


def test_docx_headings_lists_and_tables_become_markdown(topic_dir):
    def build(d):  # type: ignore[no-untyped-def]
        d.core_properties.title = "Đăng ký tạm trú"
        d.add_heading("Đăng ký tạm trú trên VNeID", level=1)
        d.add_paragraph("Làm ngay trên điện thoại.")
        d.add_heading("Các bước", level=2)
        d.add_paragraph("Mở ứng dụng VNeID.", style="List Number")
        d.add_paragraph("Chọn Thủ tục hành chính.", style="List Number")
        d.add_heading("Giấy tờ", level=3)
        table = d.add_table(rows=1, cols=2)
        table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Tờ khai", "CT01"
        d.add_heading("Lưu ý", level=2)
        d.add_paragraph("Không chia sẻ OTP.", style="List Bullet")
        d.add_paragraph("")

    path = with_sidecar(write_docx(topic_dir / "tam-tru.docx", build), "source_url: https://vneid.gov.vn/a\n"
                        "source_name: Bộ Công an\nchecked: 2026-11-25\n")
    doc = load(path, source_of(path))
    assert doc.body == (
        "# Đăng ký tạm trú trên VNeID\n\n"
        "Làm ngay trên điện thoại.\n\n"
        "## Các bước\n\n"
        "1. Mở ứng dụng VNeID.\n"
        "2. Chọn Thủ tục hành chính.\n\n"
        "### Giấy tờ\n\n"
        "Tờ khai | CT01\n\n"
        "## Lưu ý\n\n"
        "- Không chia sẻ OTP."
    )
    assert doc.meta["title"] == "Đăng ký tạm trú"
    assert doc.meta["topic"] == "vneid"


def test_docx_list_numbered_by_word_itself_keeps_its_numbers(topic_dir):
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    def build(d):  # type: ignore[no-untyped-def]
        # Word's own lists: "List Paragraph" style plus a numbering reference on the paragraph.
        num_id = d.styles["List Number"].element.pPr.numPr.numId.val
        d.add_heading("Các bước", level=2)
        for text in ("Mở VNeID.", "Đăng nhập."):
            p = d.add_paragraph(text, style="List Paragraph")
            p._p.get_or_add_pPr().append(
                parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>')
            )

    path = with_sidecar(write_docx(topic_dir / "word.docx", build))
    assert load(path, source_of(path)).body == "## Các bước\n\n1. Mở VNeID.\n2. Đăng nhập."


def test_docx_title_defaults_to_the_first_heading(topic_dir):
    def build(d):  # type: ignore[no-untyped-def]
        d.add_heading("Lấy lại mật khẩu VNeID", level=2)
        d.add_paragraph("Chọn Quên mật khẩu.")

    path = with_sidecar(write_docx(topic_dir / "mk.docx", build), "source_url: https://vneid.gov.vn/a\n"
                        "source_name: Bộ Công an\nchecked: 2026-11-25\n")
    assert load(path, source_of(path)).meta["title"] == "Lấy lại mật khẩu VNeID"


def test_corrupt_docx_is_reported(topic_dir):
    whole = write_docx(topic_dir / "whole.docx", lambda d: d.add_paragraph("Nội dung")).read_bytes()
    path = with_sidecar(topic_dir / "hong.docx")
    path.write_bytes(whole[: len(whole) // 2])
    assert load_error(path) == "corpus/vneid/hong.docx: tệp Word (.docx) hỏng"


def test_docx_typed_in_a_tcvn3_font_is_refused(topic_dir):
    path = with_sidecar(write_docx(topic_dir / "vntime.docx",
                                   lambda d: d.add_paragraph("§¨ng ký t¹m tró qua øng dông VNeID")))
    assert load_error(path) == "corpus/vneid/vntime.docx: mã TCVN3/VNI cũ, hãy chuyển sang Unicode (UTF-8)"


def test_docx_without_text_has_no_content(topic_dir):
    path = with_sidecar(write_docx(topic_dir / "trang.docx", lambda d: d.add_paragraph("   ")))
    assert load_error(path) == "corpus/vneid/trang.docx: không có nội dung"


# Metadata, size, what counts as a guide -------------------------------------------------------


def test_missing_metadata_names_the_fields_and_the_sidecar_to_add(tmp_path):
    path = tmp_path / "corpus" / "khac" / "ghi-chu.txt"
    path.parent.mkdir(parents=True)
    path.write_text("Ghi chú không có tiêu đề.", encoding="utf-8")
    with pytest.raises(CorpusError) as caught:
        load(path, "corpus/khac/ghi-chu.txt")
    assert str(caught.value) == (
        "corpus/khac/ghi-chu.txt: thiếu trường title, topic, source_url, source_name, checked; "
        "hãy ghi vào tệp ghi-chu.txt.meta.yml cạnh tệp này (các khóa như phần đầu của tệp .md)"
    )


def test_topic_defaults_to_the_folder_and_title_to_the_first_heading(topic_dir):
    path = with_sidecar(topic_dir / "passcode.txt", "source_url: https://vneid.gov.vn/a\nsource_name: Bộ Công an\n"
                        "checked: 2026-11-25\ntitle:\n")
    path.write_text("# Đặt lại passcode\n\nChọn Quên passcode.", encoding="utf-8")
    meta = load(path, source_of(path)).meta
    assert (meta["title"], meta["topic"]) == ("Đặt lại passcode", "vneid")


def test_sidecar_that_is_not_yaml_is_reported(topic_dir):
    path = with_sidecar(topic_dir / "a.txt", "title: [chưa đóng\n")
    path.write_text("Nội dung.", encoding="utf-8")
    assert load_error(path) == "corpus/vneid/a.txt: tệp a.txt.meta.yml sai cú pháp YAML (ParserError)"


def test_sidecar_metadata_is_validated_like_front_matter(topic_dir):
    path = with_sidecar(topic_dir / "b.txt", SIDECAR_META.replace("2026-11-25", "25/11/2026"))
    path.write_text("Nội dung.", encoding="utf-8")
    assert load_error(path) == "corpus/vneid/b.txt: checked '25/11/2026' phải là ngày dạng YYYY-MM-DD"


def test_file_over_the_size_limit_is_refused(topic_dir):
    path = with_sidecar(topic_dir / "lon.txt")
    path.write_bytes(b"Noi dung. " * (MB * 3 // 40))  # 0.75 MB
    assert load_error(path, max_bytes=MB // 2) == "corpus/vneid/lon.txt: tệp quá lớn (0,75 MB, tối đa 0,5 MB)"
    assert load(path, source_of(path), max_bytes=MB).body.startswith("Noi dung.")


def test_size_is_checked_before_the_file_is_read(topic_dir):
    path = topic_dir / "rat-lon.md"
    with open(path, "wb") as fh:
        fh.truncate(51 * MB)  # sparse: 51 MB of NUL bytes that would read as binary
    assert load_error(path, max_bytes=50 * MB) == "corpus/vneid/rat-lon.md: tệp quá lớn (51 MB, tối đa 50 MB)"


def test_unknown_format_is_reported(topic_dir):
    path = topic_dir / "bang.xlsx"
    path.write_bytes(b"PK")
    assert load_error(path) == "corpus/vneid/bang.xlsx: định dạng .xlsx chưa được hỗ trợ"


def test_only_guide_formats_count_as_guides_not_their_sidecars():
    for name in ("a.md", "a.markdown", "a.txt", "a.html", "a.htm", "a.pdf", "A.DOCX"):
        assert supported(Path(name)), name
    for name in ("a.pdf.meta.yml", "a.txt.meta.yml", "README.md", "_nhap.md", ".an.md", "a.doc", "a.xlsx"):
        assert not supported(Path(name)), name


# Every format cuts into the same sections ------------------------------------------------------

SECTIONS_TEXT = "Tóm tắt hướng dẫn.\n\n## Các bước\n\n1. Mở VNeID.\n2. Đăng nhập.\n\n## Lưu ý\n\nKhông chia sẻ OTP."


def make_md(folder: Path) -> Path:
    path = folder / "g.md"
    path.write_text(f"---\n{SIDECAR_META}topic: vneid\n---\n{SECTIONS_TEXT}\n", encoding="utf-8")
    return path


def make_txt(folder: Path) -> Path:
    path = with_sidecar(folder / "g.txt")
    path.write_text(SECTIONS_TEXT, encoding="utf-8")
    return path


def make_html(folder: Path) -> Path:
    path = with_sidecar(folder / "g.html")
    path.write_text("<main><p>Tóm tắt hướng dẫn.</p><h2>Các bước</h2><ol><li>Mở VNeID.</li><li>Đăng nhập.</li></ol>"
                    "<h2>Lưu ý</h2><p>Không chia sẻ OTP.</p></main>", encoding="utf-8")
    return path


def make_docx(folder: Path) -> Path:
    def build(d):  # type: ignore[no-untyped-def]
        d.add_paragraph("Tóm tắt hướng dẫn.")
        d.add_heading("Các bước", level=2)
        d.add_paragraph("Mở VNeID.", style="List Number")
        d.add_paragraph("Đăng nhập.", style="List Number")
        d.add_heading("Lưu ý", level=2)
        d.add_paragraph("Không chia sẻ OTP.")

    return with_sidecar(write_docx(folder / "g.docx", build))


@pytest.mark.parametrize("make", [make_md, make_txt, make_html, make_docx], ids=["md", "txt", "html", "docx"])
def test_each_format_splits_into_its_sections(topic_dir, make):
    path = make(topic_dir)
    doc = load(path, source_of(path))
    assert doc.body == SECTIONS_TEXT
    chunks = split(doc)
    assert [(c.section, c.text) for c in chunks] == [
        (SUMMARY_SECTION, "Tóm tắt hướng dẫn."),
        ("Các bước", "1. Mở VNeID.\n2. Đăng nhập."),
        ("Lưu ý", "Không chia sẻ OTP."),
    ]
    assert {c.title for c in chunks} == {"Đăng ký tạm trú trên VNeID"}


def test_pdf_without_headings_splits_into_one_intro_section(topic_dir):
    path = with_sidecar(write_pdf(topic_dir / "g.pdf", PDF_LINES))
    chunks = split(load(path, source_of(path)))
    assert [(c.section, c.text) for c in chunks] == [(SUMMARY_SECTION, "\n".join(PDF_LINES))]
