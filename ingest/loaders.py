"""Read guide files (Markdown, text, HTML, PDF, Word) into documents, validating what every guide must carry.

Every format ends as Markdown-like text in NFC, with "#" headings and "- " / "1. " list lines where
the file has them, so the splitter cuts all formats the same way. A file that cannot be read becomes
a CorpusError naming the file and the reason; the caller reports it and goes on with the rest.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import CorpusError
from assistant.guide_format import LIST_MARK, TOPICS
from assistant.textnorm import nfc

REQUIRED = ("title", "topic", "source_url", "source_name", "checked")
MB = 1 << 20
SIDECAR = ".meta.yml"  # metadata for formats without front matter: "huong-dan.pdf.meta.yml"
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*\.[^\s]{2,}$", re.IGNORECASE)
_HEADING_LINE = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*$", re.MULTILINE)
_CONTROL_BYTES = frozenset([*range(9), 11, *range(14, 32), 127])
_VIETNAMESE_LETTER = re.compile(r"[à-ãè-êìíò-õùúýăđĩũơưạ-ỹÀ-ÃÈ-ÊÌÍÒ-ÕÙÚÝĂĐĨŨƠƯẠ-Ỹ]")
# Latin-1 signs and letters that Vietnamese never writes next to a letter, but that the old
# TCVN3 (ABC) and VNI fonts put inside every other word: "§¨ng ký t¹m tró", "Ñaêng kyù taïm".
_LEGACY = "¡-¿ÄÅÆÇËÎÏÑÖ×ØÛÜßäåæçëîïñö÷øûüÿ"
_LEGACY_IN_WORD = re.compile(rf"[A-Za-z][{_LEGACY}]|[{_LEGACY}][A-Za-z]")


@dataclass
class Document:
    source: str  # path shown to people, e.g. "corpus/vneid/quen-mat-khau.md"
    body: str  # Markdown body, NFC
    meta: dict[str, Any] = field(default_factory=dict)


def validate_meta(meta: dict[str, Any], source: str) -> dict[str, Any]:
    missing = [k for k in REQUIRED if not str(meta.get(k) or "").strip()]
    if missing:
        raise CorpusError(f"{source}: thiếu trường {', '.join(missing)} trong phần đầu (front matter)")
    topic = str(meta["topic"]).strip()
    if topic not in TOPICS:
        raise CorpusError(f"{source}: topic '{topic}' không hợp lệ (chọn một trong: {', '.join(TOPICS)})")
    url = str(meta["source_url"]).strip()
    if not _URL.match(url):
        raise CorpusError(f"{source}: source_url '{url}' không phải địa chỉ web hợp lệ")
    checked = meta["checked"]
    if isinstance(checked, dt.datetime):
        checked = checked.date()
    if not isinstance(checked, dt.date):
        try:
            checked = dt.date.fromisoformat(str(checked).strip())
        except ValueError:
            raise CorpusError(f"{source}: checked '{checked}' phải là ngày dạng YYYY-MM-DD") from None
    clean = {k: nfc(str(v)).strip() if isinstance(v, str) else v for k, v in meta.items()}
    clean.update(topic=topic, source_url=url, checked=checked.isoformat(), title=nfc(str(meta["title"])).strip())
    return clean


def legacy_font(text: str) -> bool:
    """True when many words carry TCVN3/VNI signs: such text is mojibake whatever the decoding."""
    words = [w for w in text.split() if any(c.isalpha() for c in w)]
    odd = sum(1 for w in words if _LEGACY_IN_WORD.search(w))
    return odd >= 2 and odd >= 0.15 * len(words)


def refuse_legacy(text: str, source: str) -> None:
    if legacy_font(text):
        raise CorpusError(f"{source}: mã TCVN3/VNI cũ, hãy chuyển sang Unicode (UTF-8)")


def looks_vietnamese(text: str) -> bool:
    """Nearly every non-ASCII letter is a Vietnamese one (a wrong code page gives other letters)."""
    letters = [c for c in text if ord(c) > 127 and (c.isalpha() or unicodedata.combining(c) or c == "\ufffd")]
    return bool(letters) and sum(1 for c in letters if _VIETNAMESE_LETTER.match(c)) >= 0.9 * len(letters)


def decode(raw: bytes, source: str) -> str:
    if not raw.strip():
        raise CorpusError(f"{source}: tệp rỗng")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeError:
            raise CorpusError(f"{source}: không đọc được mã ký tự (cần UTF-8)") from None
    else:
        sample = raw[:8192]
        if b"\x00" in sample or sum(b in _CONTROL_BYTES for b in sample) > 0.05 * len(sample):
            raise CorpusError(f"{source}: tệp nhị phân, không phải văn bản")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            # Windows-1258 writes tone marks as separate combining characters; NFC joins them.
            text = nfc(raw.decode("cp1258", errors="replace"))
            if not legacy_font(text) and not looks_vietnamese(text):
                raise CorpusError(f"{source}: không đọc được mã ký tự (cần UTF-8)") from None
    refuse_legacy(text, source)
    return nfc(text.replace("\r\n", "\n").replace("\r", "\n"))


def join_blocks(blocks: list[str]) -> str:
    """Blank lines between blocks, except between items of one list."""
    lines: list[str] = []
    for block in blocks:
        if lines and not (LIST_MARK.match(block) and LIST_MARK.match(lines[-1])):
            lines.append("")
        lines.append(block)
    return "\n".join(lines)


def read_sidecar(path: Path, source: str) -> dict[str, Any]:
    import yaml

    sidecar = path.with_name(path.name + SIDECAR)
    if not sidecar.is_file():
        return {}
    try:
        data = yaml.safe_load(sidecar.read_bytes())  # bytes: YAML itself handles the UTF-8/16 BOM
    except yaml.YAMLError as exc:
        raise CorpusError(f"{source}: tệp {sidecar.name} sai cú pháp YAML ({exc.__class__.__name__})") from None
    if data is not None and not isinstance(data, dict):
        raise CorpusError(f"{source}: tệp {sidecar.name} phải gồm các dòng 'khóa: giá trị' như phần đầu của tệp .md")
    return data or {}


def _present(value: Any) -> bool:
    return value is not None and bool(str(value).strip())


def with_meta(path: Path, source: str, body: str, embedded: dict[str, Any]) -> Document:
    """The common end of every non-Markdown loader: one gate for text, one order for metadata."""
    body = nfc(body).strip()
    if not body:
        raise CorpusError(f"{source}: không có nội dung")
    refuse_legacy(body, source)  # PDF and Word text never passed decode(); HTML markup diluted it there
    # The sidecar wins over what the file embeds: staff write it on purpose.
    meta = {k: v for given in (embedded, read_sidecar(path, source)) for k, v in given.items() if _present(v)}
    if "topic" not in meta and path.parent.name in TOPICS:
        meta["topic"] = path.parent.name
    if "title" not in meta and (heading := _HEADING_LINE.search(body)):
        meta["title"] = heading.group(1)
    missing = [k for k in REQUIRED if k not in meta]
    if missing:
        raise CorpusError(
            f"{source}: thiếu trường {', '.join(missing)}; hãy ghi vào tệp {path.name}{SIDECAR} cạnh tệp này"
            " (các khóa như phần đầu của tệp .md)"
        )
    return Document(source, body, validate_meta(meta, source))


def load_markdown(path: Path, source: str) -> Document:
    import frontmatter

    text = decode(path.read_bytes(), source)
    try:
        post = frontmatter.loads(text)
    except Exception as exc:  # YAML errors come in many classes
        raise CorpusError(f"{source}: phần đầu (front matter) sai cú pháp YAML ({exc.__class__.__name__})") from None
    if not post.metadata:
        raise CorpusError(f"{source}: thiếu phần đầu (front matter) giữa hai dòng ---")
    meta = validate_meta(dict(post.metadata), source)
    body = post.content.strip()
    if not body:
        raise CorpusError(f"{source}: không có nội dung sau phần đầu")
    refuse_legacy(body, source)  # checked again without the front matter, which dilutes it in decode()
    return Document(source, body, meta)


def load_text(path: Path, source: str) -> Document:
    text = decode(path.read_bytes(), source)
    return with_meta(path, source, re.sub(r"\n{3,}", "\n\n", text), {})


_HTML_NOISE = ["script", "style", "nav", "footer", "aside", "form", "noscript", "template", "iframe", "svg"]
_HTML_HEADINGS = {"h1": "#", "h2": "##", "h3": "###", "h4": "####", "h5": "####", "h6": "####"}
_HTML_BLOCKS = {"p", "div", "section", "article", "main", "header", "blockquote", "pre", "table", "dl", "dt", "dd",
                "figure", "figcaption", "address", "details", "summary", "br", "hr"}
_HTML_META = ("topic", "source_url", "source_name", "checked")


def html_blocks(root: Any) -> list[str]:
    """Headings, paragraphs, list items and table rows of an HTML element, in reading order."""
    from bs4.element import NavigableString, PreformattedString

    blocks: list[str] = []
    words: list[str] = []
    marker = [""]  # "- " or "1. " waiting for the first line of the current list item

    def flush() -> None:
        text = " ".join("".join(words).split())
        words.clear()
        if text:
            blocks.append(marker[0] + text)
            marker[0] = ""

    def walk(node: Any, depth: int) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if not isinstance(child, PreformattedString):  # comments, doctype, CDATA
                    words.append(str(child))
            elif child.name in _HTML_HEADINGS:
                flush()
                if text := " ".join(child.get_text(" ").split()):
                    blocks.append(f"{_HTML_HEADINGS[child.name]} {text}")
            elif child.name in ("ul", "ol"):
                flush()
                for n, item in enumerate(child.find_all("li", recursive=False), 1):
                    marker[0] = "  " * depth + (f"{n}. " if child.name == "ol" else "- ")
                    walk(item, depth + 1)
                    flush()
                marker[0] = ""
            elif child.name == "tr":
                flush()
                cells = [" ".join(c.get_text(" ").split()) for c in child.find_all(["td", "th"], recursive=False)]
                if any(cells):
                    blocks.append(" | ".join(cells))
            elif child.name in _HTML_BLOCKS:
                flush()
                walk(child, depth)
                flush()
            else:  # inline: a, span, strong…
                walk(child, depth)

    walk(root, 0)
    flush()
    return blocks


def load_html(path: Path, source: str) -> Document:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(decode(path.read_bytes(), source), "html.parser")
    root = soup.find("main") or soup.find("article") or soup.body or soup
    # A <header> inside <main>/<article> holds the guide's own title; outside, it is the site's banner.
    for tag in root.find_all(_HTML_NOISE + (["header"] if root.name not in ("main", "article") else [])):
        tag.decompose()
    embedded: dict[str, Any] = {}
    for tag in soup.find_all("meta", attrs={"name": True, "content": True}):
        if (name := str(tag["name"]).strip().lower()) in _HTML_META:
            embedded.setdefault(name, str(tag["content"]))
    if "source_url" not in embedded and (canonical := soup.find("link", rel="canonical", href=True)):
        embedded["source_url"] = str(canonical["href"])
    # <h1> before <title>: the page title usually carries the site's name as well.
    heading = root.find("h1") or soup.title
    if heading is not None:
        embedded["title"] = " ".join(heading.get_text(" ").split())
    try:
        body = join_blocks(html_blocks(root))
    except RecursionError:
        raise CorpusError(f"{source}: tệp HTML lồng thẻ quá sâu, không đọc được") from None
    return with_meta(path, source, body, embedded)


_PDF_INFO = {"/Title": "title", "/Topic": "topic", "/SourceURL": "source_url", "/SourceName": "source_name",
             "/Checked": "checked"}


def load_pdf(path: Path, source: str) -> Document:
    from pypdf import PasswordType, PdfReader

    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            try:  # a PDF locked only against editing opens with an empty password
                opened = reader.decrypt("")
            except Exception:  # AES without the optional `cryptography` package: cannot open either
                opened = PasswordType.NOT_DECRYPTED
            if opened == PasswordType.NOT_DECRYPTED:
                raise CorpusError(f"{source}: tệp PDF có mật khẩu")
        pages = [page.extract_text() or "" for page in reader.pages]
        info: dict[str, Any] = reader.metadata or {}
        embedded = {key: str(info[name]) for name, key in _PDF_INFO.items() if info.get(name)}
    except CorpusError:
        raise
    except Exception:  # pypdf raises many kinds of error on a damaged file
        raise CorpusError(f"{source}: tệp PDF hỏng") from None
    body = "\n\n".join(text.strip() for text in pages if text.strip())
    if not body:
        raise CorpusError(f"{source}: không có chữ để đọc (có thể là ảnh quét)")
    return with_meta(path, source, body, embedded)


def docx_list_kind(paragraph: Any, style: str) -> str | None:
    """'number', 'bullet' or None, from the style name or from Word's own numbering definition."""
    if style.startswith("List Number"):
        return "number"
    if style.startswith("List Bullet"):
        return "bullet"
    num_id = paragraph._p.xpath("./w:pPr/w:numPr/w:numId/@w:val")
    if not num_id or num_id[0] == "0":  # numId 0 switches numbering off
        return None
    level = (paragraph._p.xpath("./w:pPr/w:numPr/w:ilvl/@w:val") or ["0"])[0]
    numbering = paragraph.part.numbering_part.element
    abstract = numbering.xpath(f'./w:num[@w:numId="{num_id[0]}"]/w:abstractNumId/@w:val')
    definition = f'./w:abstractNum[@w:abstractNumId="{abstract[0] if abstract else ""}"]/w:lvl[@w:ilvl="{level}"]'
    formats = numbering.xpath(definition + "/w:numFmt/@w:val")
    return "bullet" if not formats or formats[0] in ("bullet", "none") else "number"


def docx_blocks(document: Any) -> Iterator[str]:
    from docx.table import Table

    number = 0
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            number = 0
            for row in item.rows:
                cells: list[str] = []
                for cell in row.cells:  # a merged cell comes back once per grid column
                    if (text := " ".join(cell.text.split())) and (not cells or cells[-1] != text):
                        cells.append(text)
                if cells:
                    yield " | ".join(cells)
            continue
        text = " ".join(item.text.split())
        if not text:
            continue
        style = item.style.name if item.style is not None else ""
        heading = re.fullmatch(r"Heading (\d)", style)
        if heading or style == "Title":
            number = 0
            yield f"{'#' * min(int(heading.group(1)) if heading else 1, 4)} {text}"
        elif (kind := docx_list_kind(item, style)) == "number":
            number += 1
            yield f"{number}. {text}"
        else:
            number = 0
            yield f"- {text}" if kind == "bullet" else text


def load_docx(path: Path, source: str) -> Document:
    import docx

    try:
        document = docx.Document(str(path))
        body = join_blocks(list(docx_blocks(document)))
        title = document.core_properties.title
    except Exception:  # zip, XML and package errors all mean the same thing to staff
        raise CorpusError(f"{source}: tệp Word (.docx) hỏng") from None
    return with_meta(path, source, body, {"title": title})


LOADERS: dict[str, Callable[[Path, str], Document]] = {
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".txt": load_text,
    ".html": load_html,
    ".htm": load_html,
    ".pdf": load_pdf,
    ".docx": load_docx,
}


def supported(path: Path) -> bool:
    # Sidecars ("x.pdf.meta.yml") end in .yml, which is not a guide format, so they are never guides.
    return path.suffix.lower() in LOADERS and not path.name.startswith((".", "_")) and path.name != "README.md"


def _mb(size: float) -> str:
    value = size / MB
    return (f"{value:.1f}" if value >= 1 else f"{value:.2g}").removesuffix(".0").replace(".", ",")


def load(path: Path, source: str, *, max_bytes: int | None = None) -> Document:
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise CorpusError(f"{source}: định dạng {path.suffix or '(không đuôi)'} chưa được hỗ trợ")
    try:
        size = path.stat().st_size  # before reading: a huge file is refused without being read
        if max_bytes is not None and size > max_bytes:
            raise CorpusError(f"{source}: tệp quá lớn ({_mb(size)} MB, tối đa {_mb(max_bytes)} MB)")
        if size == 0:
            raise CorpusError(f"{source}: tệp rỗng")
        return loader(path, source)
    except CorpusError:
        raise
    except OSError as exc:
        raise CorpusError(f"{source}: không đọc được tệp ({exc.strerror or exc})") from None
