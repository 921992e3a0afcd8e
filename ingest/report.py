"""How an ingest, and the preview of one, read to people: one text for the command line and the admin page.

Each renderer returns `Line`s; the CLI prints them (problems on stderr), the admin page turns
them into Markdown. Wording changes here reach both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ingest.sync import IngestReport, Preview

STAGES = {"load": "Đọc tệp", "copy": "Giữ đoạn cũ", "embed": "Tạo vector", "done": "Hoàn tất"}


@dataclass(frozen=True)
class Line:
    text: str
    heading: bool = False  # a sentence of its own (bold on the page); otherwise an item of a list
    problem: bool = False  # something staff must look at (stderr on the command line)


def report_lines(report: IngestReport) -> list[Line]:
    lines = [Line("Không có gì thay đổi (nothing changed) — chỉ mục đã khớp với thư mục hướng dẫn." if report.nothing_changed
                  else "Đã nạp xong.", heading=True),
             Line(f"Tệp hướng dẫn: {report.files}")]
    if not report.nothing_changed:
        lines += [Line(f"Tệp: thêm {len(report.added_files)}, cập nhật {len(report.updated_files)}, "
                       f"xoá {len(report.removed_files)}, giữ nguyên {report.unchanged_files}"),
                  Line(f"Đoạn: thêm {report.chunks_added}, xoá {report.chunks_removed}, giữ nguyên {report.chunks_kept}")]
    if report.gate:
        g = report.gate
        lines.append(Line(f"Phép thử trước khi chuyển: {g['questions']} câu, hit@3 {g['before']:.3f} → {g['after']:.3f}, "
                          f"tỉ lệ câu bị báo chưa có hướng dẫn {g.get('declined_before', 0.0):.3f} → {g.get('declined_after', 0.0):.3f}"))
    lines.append(Line(f"Phiên bản chỉ mục: {report.version} ({report.seconds:.1f} s)"))
    if report.refused:
        gate = report.gate or {}
        lines.append(Line("Chỉ mục mới làm câu trả lời kém đi nên chưa được dùng; phiên bản cũ vẫn phục vụ.",
                          heading=True, problem=True))
        if gate.get("broken"):
            lines.append(Line("Các câu hỏi không còn tìm ra hướng dẫn của mình:", heading=True, problem=True))
            lines += [Line(q, problem=True) for q in gate["broken"]]
        if gate.get("newly_declined"):
            lines.append(Line("Các câu hỏi trước được trả lời, nay bị báo là chưa có hướng dẫn:", heading=True,
                              problem=True))
            lines += [Line(q, problem=True) for q in gate["newly_declined"]]
    if report.errors:
        lines.append(Line(f"{len(report.errors)} tệp lỗi, đã bỏ qua:", heading=True, problem=True))
        lines += [Line(reason, problem=True) for reason in report.errors.values()]
    return lines


def preview_lines(preview: Preview) -> list[Line]:
    """What the next ingest will do, file by file: the same loading, limits and duplicate checks as ingest."""
    changes = len(preview.added) + len(preview.updated) + len(preview.removed)
    if not (changes or preview.errors or preview.findings):
        return [Line(f"Không có thay đổi. {preview.unchanged} hướng dẫn giữ nguyên.", heading=True)]
    lines = [Line(f"Sẽ thay đổi {changes} tệp (giữ nguyên {preview.unchanged}):", heading=True)]
    lines += [Line(f"{source}: thêm mới, {n} đoạn") for source, n in preview.added.items()]
    lines += [Line(f"{source}: cập nhật, {n} đoạn") for source, n in preview.updated.items()]
    lines += [Line(f"{source}: xoá, {n} đoạn") for source, n in preview.removed.items()]
    if preview.findings:
        count = sum(len(f) for f in preview.findings.values())
        lines.append(Line(f"Kiểm tra quy ước hướng dẫn (assistant corpus check): {count} điểm cần sửa ở "
                          f"{len(preview.findings)} tệp. Các tệp này vẫn sẽ được nạp; nên sửa trước khi bấm nạp:",
                          heading=True, problem=True))
        lines += [Line(message, problem=True) for messages in preview.findings.values() for message in messages]
    if preview.errors:
        lines.append(Line(f"{len(preview.errors)} tệp lỗi, sẽ bỏ qua:", heading=True, problem=True))
        lines += [Line(reason, problem=True) for reason in preview.errors.values()]
    return lines


def as_markdown(lines: list[Line]) -> str:
    """Headings in bold, items as a list; every text is escaped (file names and reasons come from staff uploads)."""
    import html

    out: list[str] = []
    for line in lines:
        text = html.escape(line.text, quote=False).replace("*", "\\*").replace("_", "\\_")
        if line.heading:
            out.append(("\n" if out else "") + f"**{text}**\n")
        else:
            out.append(f"- {text}")
    return "\n".join(out)
