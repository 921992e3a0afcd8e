"""Staff admin (`/quan-tri`): manage guides, preview and run ingest, read the gap report."""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
import uuid
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import AssistantError, CorpusError
from assistant.feedback import FeedbackStore
from assistant.gaps import DISPLAY_LIMIT, GapRow, display_rows, figures, gap_sections, read_log, to_csv
from assistant.guide_format import TOPICS
from assistant.settings import Settings
from ingest.loaders import LOADERS

UPLOADABLE = tuple(LOADERS)  # every format ingestion reads
_SAFE_NAME = re.compile(r"[^a-z0-9._-]+")


def safe_filename(name: str) -> str:
    from assistant.textnorm import fold

    stem = _SAFE_NAME.sub("-", fold(Path(name).name)).strip("-.")
    return stem or "huong-dan"


def save_uploads(settings: Settings, files: list[str], topic: str, meta: dict[str, str]) -> list[str]:
    """Copy uploaded files into corpus/<topic>/; other formats get a `.meta.yml` with the staff's fields."""
    if topic not in TOPICS:
        raise CorpusError(f"Chủ đề '{topic}' không hợp lệ (chọn một trong: {', '.join(TOPICS)})")
    saved = []
    folder = settings.corpus_dir / topic
    folder.mkdir(parents=True, exist_ok=True)
    for path in files:
        name = safe_filename(Path(path).name)
        if Path(name).suffix.lower() not in UPLOADABLE:
            raise CorpusError(f"{Path(path).name}: định dạng chưa được hỗ trợ (chỉ nhận {', '.join(UPLOADABLE)})")
        target = folder / name
        shutil.copyfile(path, target)
        if target.suffix.lower() not in (".md", ".markdown"):
            fields = {k: v.strip() for k, v in meta.items() if v and v.strip()}
            fields["topic"] = topic
            Path(str(target) + ".meta.yml").write_text(yaml.safe_dump(fields, allow_unicode=True), encoding="utf-8")
        saved.append(f"{settings.corpus_dir.name}/{topic}/{name}")
    return saved


def remove_guide(settings: Settings, source: str) -> str:
    """Move a guide (and its sidecar) to data/trash: removing should never destroy a file."""
    relative = Path(source).relative_to(settings.corpus_dir.name) if source.startswith(settings.corpus_dir.name + "/") else Path(source)
    path = (settings.corpus_dir / relative).resolve()
    if settings.corpus_dir.resolve() not in path.parents or not path.is_file():
        raise CorpusError(f"Không tìm thấy hướng dẫn '{source}'")
    trash = settings.trash_dir / dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    trash.mkdir(parents=True, exist_ok=True)
    shutil.move(str(path), trash / path.name)
    sidecar = Path(str(path) + ".meta.yml")
    if sidecar.exists():
        shutil.move(str(sidecar), trash / sidecar.name)
    return f"Đã chuyển {source} vào {trash}. Bấm “Xem trước” rồi “Nạp lại” để cập nhật chỉ mục."


def list_guides(settings: Settings) -> list[str]:
    from ingest.sync import scan

    try:
        return sorted(scan(settings.corpus_dir))
    except CorpusError:
        return []


def preview_markdown(settings: Settings) -> str:
    """What the next ingest would do, file by file: a dry run of ingest itself (ingest.sync.preview)."""
    from ingest.report import as_markdown, preview_lines
    from ingest.sync import preview

    return as_markdown(preview_lines(preview(settings)))


def report_markdown(report: Any) -> str:
    from ingest.report import as_markdown, report_lines

    return as_markdown(report_lines(report))


REVIEW_HEADERS = ["hướng dẫn", "tiêu đề", "kiểm tra", "chu kỳ (ngày)", "quá hạn (ngày)", "trích trong 30 ngày"]


def review_rows(reviews: list[Any]) -> list[list[Any]]:
    """`freshness.Review`s (what `assistant corpus status` prints) as table rows; not yet due shows 'còn N'."""
    return [[r.guide, r.title, r.checked, r.review_every, str(r.due_since) if r.due else f"còn {-r.due_since}",
             r.citations] for r in reviews]


GAP_HEADERS = ["số lần", "ví dụ", "lần cuối", "lý do"]  # the questions early: on a phone they are what shows
# Inline styles, so the report reads in the page's own font on any theme: Gradio's Dataframe drew these tables in a
# monospace font that split Vietnamese marks apart. A cell never grows past four lines (it scrolls inside), and on
# a phone the table scrolls sideways inside its own box instead of pushing the page wider
# (width:0 + min-width:100%: the box fills its column without lending the table's width to the page around it).
_BOX = "width:0;min-width:100%;overflow-x:auto;-webkit-overflow-scrolling:touch;margin:.3em 0 1em;"
_TABLE = ("width:100%;min-width:33em;table-layout:fixed;border-collapse:collapse;"
          "font-family:var(--font, system-ui, sans-serif);font-size:16px;line-height:1.45;")
_CELL = "border:1px solid var(--border-color-primary, #bbb);padding:6px 8px;vertical-align:top;text-align:left;"
_CLAMP = "max-height:5.8em;overflow-y:auto;overflow-wrap:anywhere;"  # 4 lines of 1.45
_WIDTHS = ["4.5em", "auto", "6.5em", "10em"]  # on a phone "số lần" and "ví dụ" fill the screen


def gap_table_html(rows: list[GapRow], title: str, note: str, empty: str) -> str:
    """A gap report section as an escaped HTML table; every question is resident text and is escaped."""
    heading = f'<h3 style="margin:.6em 0 .2em">{html.escape(title)} ({len(rows)})</h3>'
    if not rows:
        return f'<div lang="vi">{heading}<p>{html.escape(empty)}</p></div>'
    head = "".join(f'<th scope="col" style="{_CELL}width:{w};font-weight:600">{html.escape(h)}</th>'
                   for h, w in zip(GAP_HEADERS, _WIDTHS))
    body = []
    for r in rows:
        examples = "".join(f'<li style="margin:0 0 .2em">{html.escape(q)}</li>' for q in r.examples)
        cells = [f'<div style="{_CLAMP}">{r.count}</div>',
                 f'<div style="{_CLAMP}" tabindex="0"><ul style="margin:0;padding-left:1.1em">{examples}</ul></div>',
                 f'<div style="{_CLAMP}">{html.escape(r.last_seen)}</div>', f'<div style="{_CLAMP}">{html.escape(r.reasons)}</div>']
        body.append("<tr>" + "".join(f'<td style="{_CELL}">{c}</td>' for c in cells) + "</tr>")
    return (f'<div lang="vi">{heading}<p style="margin:.2em 0">{html.escape(note)}</p><div style="{_BOX}">'
            f'<table style="{_TABLE}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div></div>')


def build_admin_page(settings: Settings, feedback: FeedbackStore) -> Any:
    import gradio as gr

    log_path = settings.question_log_path

    def upload(files: list[str] | None, topic: str, title: str, url: str, source: str, checked: str) -> tuple[Any, ...]:
        if not files:
            return "Chưa chọn tệp nào.", gr.update()
        try:
            saved = save_uploads(settings, files, topic, {"title": title, "source_url": url, "source_name": source,
                                                          "checked": checked})
        except (CorpusError, OSError) as exc:
            return f"Không lưu được: {html.escape(str(exc))}", gr.update()
        return ("Đã lưu: " + ", ".join(saved) + ". Bấm “Xem trước thay đổi”.",
                gr.update(choices=list_guides(settings)))

    def remove(source: str | None) -> tuple[Any, ...]:
        if not source:
            return "Chọn một hướng dẫn để xoá.", gr.update()
        try:
            message = remove_guide(settings, source)
        except (CorpusError, OSError) as exc:
            message = f"Không xoá được: {html.escape(str(exc))}"
        return message, gr.update(choices=list_guides(settings), value=None)

    def show_preview() -> str:
        try:
            return preview_markdown(settings)
        except AssistantError as exc:
            return f"Không xem trước được: {html.escape(str(exc))}"

    def run_ingest(progress: Any = gr.Progress()) -> str:
        from ingest.report import STAGES
        from ingest.sync import sync

        def notify(stage: str, done: int, total: int) -> None:
            progress((done, max(total, 1)), desc=STAGES.get(stage, stage))

        try:
            return report_markdown(sync(settings, settings.corpus_dir, notify))
        except AssistantError as exc:
            return f"**Không nạp được:** {html.escape(str(exc))}"

    def gaps() -> tuple[Any, ...]:
        report = gap_sections(read_log(log_path), feedback.all())
        csv_path = settings.exports_dir / "bao-cao-cau-hoi-chua-tra-loi.csv"
        csv_path.parent.mkdir(parents=True, exist_ok=True)
        # full text, junk last; written aside then renamed: page load and tab select may both be writing it
        partial = csv_path.with_name(f"{csv_path.name}.{uuid.uuid4().hex}.tmp")
        partial.write_text(to_csv(report.groups + report.junk), encoding="utf-8-sig")
        partial.replace(csv_path)
        groups = gap_table_html(display_rows(report.groups), "Nhóm câu hỏi chưa trả lời hoặc bị 👎",
                                "Câu hỏi giống nhau được gộp; nhóm hỏi nhiều lần nhất đứng trước.",
                                "Chưa có câu hỏi nào chưa được trả lời.")
        junk = gap_table_html(display_rows(report.junk), "Câu hỏi quá dài hoặc vô nghĩa",
                              f"Quá {DISPLAY_LIMIT} ký tự thì rút gọn (…); bản đầy đủ có trong tệp CSV.",
                              "Không có câu hỏi nào quá dài hoặc vô nghĩa.")
        return groups, junk, str(csv_path)

    def stats() -> tuple[Any, ...]:
        figs = figures(read_log(log_path))
        lines = [f"- Tổng số câu hỏi: **{figs['questions']}**, tỉ lệ có câu trả lời: **{figs['answered_share']:.0%}**"]
        lines += [f"- {day}: {n} câu" for day, n in figs["per_day"].items()]
        lines.append("\n**Hướng dẫn được trích nhiều nhất:**")
        lines += [f"- {html.escape(src)}: {n}" for src, n in figs["top_guides"]]
        fb = [[f.time[:16].replace("T", " "), "👍" if f.rating > 0 else "👎", f.question, f.comment,
               ", ".join(f.sources[:2])] for f in feedback.all(200)]
        return "\n".join(lines), fb

    def reviews(include_all: bool) -> tuple[Any, ...]:
        from assistant.freshness import review_status

        try:
            found, _errors = review_status(settings, include_all)
        except AssistantError as exc:
            return [], f"Không đọc được thư mục hướng dẫn: {html.escape(str(exc))}"
        return review_rows(found), (
            f"**{sum(r.due for r in found)} hướng dẫn cần rà soát** (ngày kiểm tra + chu kỳ đã qua); hướng dẫn được"
            " trích nhiều trong 30 ngày qua đứng trước. Kiểm tra lại nguồn, sửa nội dung, rồi cập nhật `checked`.")

    with gr.Blocks(title="Trợ lý số — quản trị") as page:
        gr.Markdown("# Quản trị Trợ lý số\nQuản lý hướng dẫn, nạp lại chỉ mục và xem câu hỏi chưa được trả lời.")
        with gr.Tab("Hướng dẫn"):
            with gr.Row():
                files = gr.File(label="Tải lên hướng dẫn (.md, .html, .pdf, .docx, .txt)", file_count="multiple",
                                file_types=list(UPLOADABLE), type="filepath", elem_id="admin-files")
                with gr.Column():
                    topic = gr.Dropdown(list(TOPICS), value="vneid", label="Chủ đề", elem_id="admin-topic")
                    gr.Markdown("Với tệp không phải Markdown, điền thông tin nguồn:")
                    title = gr.Textbox(label="Tiêu đề", elem_id="admin-title")
                    url = gr.Textbox(label="Địa chỉ nguồn (https://…)", elem_id="admin-url")
                    source = gr.Textbox(label="Tên nguồn (cơ quan, báo)", elem_id="admin-source")
                    checked = gr.Textbox(label="Ngày kiểm tra (YYYY-MM-DD)", value=dt.date.today().isoformat(),
                                         elem_id="admin-checked")
            save = gr.Button("Lưu vào thư mục hướng dẫn", variant="primary", elem_id="admin-save")
            saved = gr.Markdown(elem_id="admin-saved")
            with gr.Row():
                existing = gr.Dropdown(list_guides(settings), label="Xoá một hướng dẫn", elem_id="admin-existing")
                delete = gr.Button("Xoá", variant="stop", elem_id="admin-delete")
            with gr.Row():
                look = gr.Button("Xem trước thay đổi", elem_id="admin-preview")
                go = gr.Button("Nạp lại chỉ mục", variant="primary", elem_id="admin-ingest")
            plan_box = gr.Markdown(elem_id="admin-plan")
            result = gr.Markdown(elem_id="admin-report")
            save.click(upload, [files, topic, title, url, source, checked], [saved, existing], api_visibility="private")
            delete.click(remove, [existing], [saved, existing], api_visibility="private")
            look.click(show_preview, None, plan_box, api_visibility="private")
            go.click(run_ingest, None, result, api_visibility="private")
        with gr.Tab("Câu hỏi chưa trả lời", elem_id="admin-gaps-tab") as gaps_tab:
            refresh = gr.Button("Làm mới báo cáo", elem_id="admin-gaps-refresh")
            table = gr.HTML(elem_id="admin-gaps", js_on_load=None)
            junk_table = gr.HTML(elem_id="admin-gaps-junk", js_on_load=None)
            export = gr.File(label="Tải CSV (câu hỏi đầy đủ)", elem_id="admin-gaps-csv")
            refresh.click(gaps, None, [table, junk_table, export], api_visibility="private")
            gaps_tab.select(gaps, None, [table, junk_table, export], api_visibility="private")
        with gr.Tab("Góp ý và số liệu", elem_id="admin-stats-tab"):
            refresh_stats = gr.Button("Làm mới", elem_id="admin-stats-refresh")
            numbers = gr.Markdown(elem_id="admin-figures")
            fb_table = gr.Dataframe(headers=["thời gian", "đánh giá", "câu hỏi", "góp ý", "nguồn"], interactive=False,
                                    wrap=True, elem_id="admin-feedback")
            refresh_stats.click(stats, None, [numbers, fb_table], api_visibility="private")
        with gr.Tab("Cần rà soát", elem_id="admin-review-tab") as review_tab:
            review_note = gr.Markdown(elem_id="admin-review-note")
            review_all = gr.Checkbox(label="Hiện mọi hướng dẫn", value=False, elem_id="admin-review-all")
            review_table = gr.Dataframe(headers=REVIEW_HEADERS, interactive=False, wrap=True, elem_id="admin-review")
            review_tab.select(reviews, [review_all], [review_table, review_note], api_visibility="private")
            review_all.change(reviews, [review_all], [review_table, review_note], api_visibility="private")
        page.load(gaps, None, [table, junk_table, export], api_visibility="private")
    return page
