"""Answer → the Markdown/HTML a person sees. Pure functions; everything from the corpus is escaped."""

from __future__ import annotations

import html
import re

from assistant.models import Answer, Citation

_MARKER = re.compile(r"\[(\d{1,2})\]")


def citation_html(c: Citation) -> str:
    passage = html.escape(c.text).replace("\n", "<br>")
    return (
        f'<details class="citation" id="nguon-{c.n}"><summary><b>[{c.n}] {html.escape(c.title)}</b>'
        f" — {html.escape(c.section)}</summary>"
        f'<blockquote class="passage">{passage}</blockquote>'
        f'<p class="source-link">Nguồn: <a href="{html.escape(c.url, quote=True)}" target="_blank" '
        f'rel="noopener noreferrer">{html.escape(c.url)}</a> · kiểm tra ngày {html.escape(c.checked)}</p>'
        "</details>"
    )


def answer_markdown(answer: Answer) -> str:
    """The answer text (already Markdown-safe lines) followed by expandable citations."""
    body = html.escape(answer.text, quote=False)
    body = _MARKER.sub(lambda m: f"<sup>[{m.group(1)}]</sup>", body)
    body = body.replace("\n", "  \n")
    if not answer.citations:
        return body
    sources = "\n".join(citation_html(c) for c in answer.citations)
    return f"{body}\n\n**Nguồn trích dẫn** (bấm để xem nguyên văn):\n\n{sources}"
