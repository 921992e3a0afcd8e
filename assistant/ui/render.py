"""Answer → the Markdown/HTML a person sees. Pure functions; everything from the corpus is escaped."""

from __future__ import annotations

import html
from urllib.parse import urlencode

from assistant.models import Answer, Citation
from assistant.reply import MARK


def card_link(citation: Citation, note: str = "", pdf: bool = False) -> str:
    query = {"chunk": citation.chunk_id}
    if note:
        query["note"] = note
    return ("/the-buoc.pdf?" if pdf else "/the-buoc?") + urlencode(query)


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


def answer_body(answer: Answer) -> str:
    body = html.escape(answer.text, quote=False)
    body = MARK.sub(lambda m: f"<sup>{m.group(0)}</sup>", body)
    return body.replace("\n", "  \n")


def _link_suggestions(body: str, suggestions: list[Citation]) -> str:
    """Each guide a decline names on a line of its own ("- Tên hướng dẫn", in either language)
    becomes a link to its step card: the nearest guide is one tap away."""
    links = {html.escape(c.title, quote=False): (f'<a href="{html.escape(card_link(c), quote=True)}" '
                                                 f'target="_blank">{html.escape(c.title, quote=False)}</a>')
             for c in suggestions}
    lines = body.split("  \n")
    for i, line in enumerate(lines):
        if line.startswith("- ") and line[2:] in links:
            lines[i] = "- " + links[line[2:]]
    return "  \n".join(lines)


def answer_markdown(answer: Answer) -> str:
    """The answer text (escaped) followed by expandable citations and a link to its step card."""
    body = answer_body(answer)
    if answer.suggestions:
        body = _link_suggestions(body, answer.suggestions)
    if not answer.citations:
        return body
    sources = "\n".join(citation_html(c) for c in answer.citations)
    card = ""
    if answer.status == "answered" and answer.citations[0].chunk_id:
        card = (f'\n\n<a class="card-link" href="{html.escape(card_link(answer.citations[0]), quote=True)}" '
                'target="_blank">Mở thẻ hướng dẫn (in hoặc gửi cho người thân)</a>')
    return f"{body}{card}\n\n**Nguồn trích dẫn** (bấm để xem nguyên văn):\n\n{sources}"
