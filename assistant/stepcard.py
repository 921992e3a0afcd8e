"""A printable step card: the guide's title, its numbered steps, the source as a QR code,
the date it was checked, and the counter's note, so a resident can finish at home."""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass
from pathlib import Path

from assistant.guide_format import bullets_in, steps_in
from assistant.models import Chunk
from assistant.read_aloud import SCRIPT, parts_script

FONTS = Path(__file__).resolve().parent / "ui" / "fonts"
MAX_NOTE = 300


@dataclass
class StepCard:
    title: str
    section: str
    summary: str
    steps: list[str]
    points: list[str]  # shown when the passage has no numbered steps
    url: str
    source_name: str
    checked: str
    note: str = ""

    @classmethod
    def from_chunk(cls, chunk: Chunk, note: str = "") -> "StepCard":
        steps = steps_in(chunk.text)
        points = [] if steps else (bullets_in(chunk.text) or [p for p in chunk.text.split("\n") if p.strip()])
        return cls(chunk.title, chunk.section, chunk.summary, steps, points, chunk.url, chunk.source_name,
                   chunk.checked, " ".join(note.split())[:MAX_NOTE])


def qr_png(url: str) -> bytes:
    import qrcode
    from qrcode.image.pil import PilImage

    image = qrcode.make(url, box_size=8, border=2, image_factory=PilImage)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def render_html(card: StepCard) -> str:
    e = html.escape
    qr = base64.b64encode(qr_png(card.url)).decode()
    items = "".join(f"<li>{e(s)} <button class='again' type='button' onclick='readStep({i})' "
                    f"aria-label='Đọc lại bước {i}'>🔁 Đọc lại bước này</button></li>"
                    for i, s in enumerate(card.steps, 1))
    body = f"<ol class='steps'>{items}</ol>" if card.steps else "<ul>" + "".join(
        f"<li>{e(p)}</li>" for p in card.points) + "</ul>"
    note = f"<div class='note'><b>Ghi chú của quầy:</b> {e(card.note)}</div>" if card.note else ""
    return f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Thẻ hướng dẫn — {e(card.title)}</title>
<style>
@page {{ size: A5; margin: 12mm; }}
body {{ font-family: "DejaVu Sans", Arial, sans-serif; font-size: 15pt; line-height: 1.45; color: #000; margin: 0 auto; max-width: 720px; padding: 12px; }}
h1 {{ font-size: 19pt; margin: 0 0 .3em; }}
.section {{ font-weight: bold; margin-top: .6em; }}
.steps li {{ margin: .25em 0; }}
.foot {{ display: flex; gap: 16px; align-items: center; border-top: 2px solid #000; margin-top: 1em; padding-top: .6em; font-size: 12pt; }}
.foot img {{ width: 34mm; height: 34mm; }}
.note {{ border: 1px dashed #000; padding: .4em; margin-top: .6em; font-size: 13pt; }}
.actions {{ margin: 1em 0; }}
.actions button, .again {{ min-height: 44px; font-size: 13pt; margin: 4px 6px 4px 0; }}
.again {{ min-height: 36px; font-size: 11pt; }}
@media print {{ .actions, .again {{ display: none; }} }}
</style></head>
<body>
<h1>{e(card.title)}</h1>
<p>{e(card.summary)}</p>
<div class="section">{e(card.section)}</div>
{body}
{note}
<div class="foot"><img alt="Mã QR tới nguồn hướng dẫn" src="data:image/png;base64,{qr}">
<div>Quét mã QR để mở nguồn gốc hướng dẫn:<br><span class="url">{e(card.url)}</span><br>
Nguồn: {e(card.source_name)} · kiểm tra ngày {e(card.checked)}<br>
Không bao giờ đưa mã OTP, mật khẩu, passcode cho bất kỳ ai.</div></div>
<div class="actions">
<button type="button" id="listen" onclick="readAll()">🔊 Nghe</button>
<button type="button" id="pause" onclick="tsPause()">⏯ Tạm dừng / tiếp</button>
<button type="button" id="stop" onclick="tsStop()">⏹ Dừng</button>
<button type="button" onclick="window.print()">In thẻ</button>
</div>
<script>{read_aloud_js(card)}</script>
</body></html>"""


def spoken_parts(card: StepCard) -> list[str]:
    """What "Nghe" reads: the summary, then each step as "Bước n" (not the source or the QR code)."""
    parts = [card.summary] if card.summary else []
    parts += [f"Bước {i}. {step}" for i, step in enumerate(card.steps, 1)] or card.points
    return parts


def read_aloud_js(card: StepCard) -> str:
    steps = len(card.steps)
    return (parts_script(spoken_parts(card)) + SCRIPT +
            f"function readAll() {{ tsSay(PARTS); }}\n"
            f"function readStep(n) {{ tsSay([PARTS[PARTS.length - {steps} + n - 1]]); }}\n")


def render_pdf(card: StepCard) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format=(148, 210))  # A5 in millimetres
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    width = pdf.epw
    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(width, 7, card.title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_font("DejaVu", "", 10.5)
    if card.summary:
        pdf.multi_cell(width, 5.5, card.summary, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(width, 6, card.section, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 11)
    lines = [f"{i}. {s}" for i, s in enumerate(card.steps, 1)] or [f"• {p}" for p in card.points]
    for line in lines:
        pdf.multi_cell(width, 6, line, new_x="LMARGIN", new_y="NEXT")
    if card.note:
        pdf.ln(2)
        pdf.set_font("DejaVu", "B", 10)
        pdf.multi_cell(width, 5.5, "Ghi chú của quầy: " + card.note, border=1, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    top = pdf.get_y()
    if top > pdf.h - 50:
        pdf.add_page()
        top = pdf.get_y()
    pdf.image(io.BytesIO(qr_png(card.url)), x=pdf.l_margin, y=top, w=32, h=32)
    pdf.set_xy(pdf.l_margin + 36, top)
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(
        width - 36, 4.8,
        f"Quét mã QR để mở nguồn gốc hướng dẫn:\n{card.url}\nNguồn: {card.source_name} · kiểm tra ngày {card.checked}\n"
        "Không bao giờ đưa mã OTP, mật khẩu, passcode cho bất kỳ ai.",
    )
    return bytes(pdf.output())
