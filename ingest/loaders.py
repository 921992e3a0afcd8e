"""Read guide files into documents, validating what every guide must carry.

A file that cannot be read becomes a CorpusError naming the file and the reason; the caller
reports it and goes on with the rest.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from assistant.errors import CorpusError
from assistant.textnorm import nfc

TOPICS = ("vneid", "dichvucong", "thanh-toan", "an-toan", "phong-trao")
REQUIRED = ("title", "topic", "source_url", "source_name", "checked")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*\.[^\s]{2,}$", re.IGNORECASE)


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


def decode(raw: bytes, source: str) -> str:
    if not raw.strip():
        raise CorpusError(f"{source}: tệp rỗng")
    if b"\x00" in raw[:4096] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CorpusError(f"{source}: tệp nhị phân, không phải văn bản")
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            return nfc(raw.decode(encoding))
        except UnicodeError:
            continue
    raise CorpusError(f"{source}: không đọc được mã ký tự (cần UTF-8)")


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
    return Document(source, body, meta)


LOADERS: dict[str, Callable[[Path, str], Document]] = {".md": load_markdown, ".markdown": load_markdown}


def supported(path: Path) -> bool:
    return path.suffix.lower() in LOADERS and not path.name.startswith((".", "_")) and path.name != "README.md"


def load(path: Path, source: str) -> Document:
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise CorpusError(f"{source}: định dạng {path.suffix or '(không đuôi)'} chưa được hỗ trợ")
    try:
        return loader(path, source)
    except CorpusError:
        raise
    except OSError as exc:
        raise CorpusError(f"{source}: không đọc được tệp ({exc.strerror or exc})") from None
