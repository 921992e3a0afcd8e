"""The `assistant` command. Heavy libraries load inside commands so `--help` is instant."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from assistant.errors import AssistantError


def _settings(**overrides: object):  # type: ignore[no-untyped-def]
    from assistant.settings import Settings

    values = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**values)  # type: ignore[arg-type]


def _quiet_libraries() -> None:
    import logging
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    for name in ("chromadb", "httpx", "sentence_transformers", "transformers"):
        logging.getLogger(name).setLevel(logging.ERROR)


@click.group()
@click.version_option(package_name="tro-ly-so")
def cli() -> None:
    """Trợ lý số: hỏi–đáp về VNeID, dịch vụ công và thanh toán không dùng tiền mặt, có trích nguồn."""


@cli.command()
@click.option("--corpus", "corpus", type=click.Path(path_type=Path), help="Thư mục hướng dẫn (mặc định: corpus/).")
@click.option("--json", "as_json", is_flag=True, help="In báo cáo dạng JSON.")
def ingest(corpus: Path | None, as_json: bool) -> None:
    """Nạp hướng dẫn vào chỉ mục: thêm mới, cập nhật tệp đã sửa, bỏ tệp đã xoá."""
    _quiet_libraries()
    from ingest.sync import sync

    settings = _settings(corpus_dir=corpus)
    try:
        with _progress_bar(not as_json) as progress:
            report = sync(settings, corpus, progress)
    except AssistantError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False))
        return
    click.echo(f"Tệp hướng dẫn: {report.files}")
    if report.nothing_changed:
        click.echo("nothing changed — chỉ mục đã khớp với thư mục hướng dẫn.")
    else:
        click.echo(
            f"Tệp: thêm {len(report.added_files)}, cập nhật {len(report.updated_files)}, "
            f"xoá {len(report.removed_files)}, giữ nguyên {report.unchanged_files}"
        )
        click.echo(
            f"Đoạn: thêm {report.chunks_added}, xoá {report.chunks_removed}, giữ nguyên {report.chunks_kept}"
        )
    if report.errors:
        click.echo(f"Bỏ qua {len(report.errors)} tệp lỗi:", err=True)
        for source, reason in report.errors.items():
            click.echo(f"  - {reason}", err=True)
    click.echo(f"Phiên bản chỉ mục: {report.version} ({report.seconds:.1f} s)")


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    """A rich progress bar on stderr while ingesting (only on a terminal; logs stay clean)."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    labels = {"load": "Đọc tệp", "copy": "Giữ đoạn cũ", "embed": "Tạo vector", "done": "Hoàn tất"}
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=False) as bar:
        tasks: dict[str, int] = {}

        def show(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(labels.get(stage, stage), total=max(total, 1))
            bar.update(tasks[stage], completed=done, total=max(total, 1))

        yield show


@cli.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Đọc câu hỏi từ stdin (mỗi dòng một câu), in mỗi dòng một JSON.")
def ask(question: str | None, as_json: bool) -> None:
    """Hỏi một câu và in câu trả lời kèm nguồn."""
    _quiet_libraries()
    from assistant.pipeline import Assistant

    settings = _settings()
    try:
        assistant = Assistant.from_settings(settings)
        if as_json:
            _ask_json_lines(assistant, question)
            return
        if not question:
            raise click.UsageError("Hãy đưa câu hỏi trong dấu ngoặc kép, hoặc dùng --json để đọc từ stdin.")
        answer = assistant.ask(question)
    except AssistantError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(answer.text)
    if answer.citations:
        click.echo("\nNguồn:")
        for c in answer.citations:
            click.echo(f"[{c.n}] {c.title} — {c.section}\n    {c.url} (kiểm tra {c.checked})")


def _ask_json_lines(assistant, question: str | None) -> None:  # type: ignore[no-untyped-def]
    from assistant.models import Answer

    lines = [question] if question is not None else _stdin_lines()
    for line in lines:
        try:
            answer = assistant.ask(line)
        except AssistantError as exc:
            answer = Answer(line, "no_answer", f"Hệ thống đang gặp sự cố: {exc}")
        except Exception:  # one bad line must not cost the others their answers
            answer = Answer(line, "no_answer", "Xin lỗi, có lỗi khi xử lý câu hỏi này. Hãy thử lại hoặc hỏi cách khác.")
        sys.stdout.write(json.dumps(answer.to_json(), ensure_ascii=False) + "\n")
        sys.stdout.flush()


def _stdin_lines() -> list[str]:
    data = sys.stdin.buffer.read()
    text = data.decode("utf-8", errors="replace")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.rstrip("\r") for line in lines]


@cli.command(name="eval")
@click.option("--set", "eval_set", type=click.Path(exists=True, path_type=Path), default=Path("tests/eval/questions"),
              show_default=True, help="Tệp TSV hoặc thư mục các tệp TSV câu hỏi đánh giá.")
@click.option("--out", type=click.Path(path_type=Path), help="Nơi ghi báo cáo JSON (mặc định: data/eval/report.json).")
@click.option("--misses", is_flag=True, help="In thêm các câu mà hướng dẫn đúng không đứng đầu.")
def evaluate(eval_set: Path, out: Path | None, misses: bool) -> None:
    """Đo chất lượng tìm kiếm và trả lời trên bộ câu hỏi đánh giá."""
    _quiet_libraries()
    from assistant.evaluation import format_report, load_cases, run, write_report
    from assistant.pipeline import Assistant

    settings = _settings()
    cases = load_cases(eval_set)
    if not cases:
        raise click.ClickException(f"Không có câu hỏi nào trong '{eval_set}'.")
    try:
        report = run(Assistant.from_settings(settings, log=False), cases)
    except AssistantError as exc:
        raise click.ClickException(str(exc)) from None
    out = out or settings.data_dir / "eval" / "report.json"
    write_report(report, out)
    click.echo(format_report(report))
    if misses:
        for m in report["misses"]:
            click.echo(f"  rank {m['rank']}: {m['question']} → {m['got']} (cần {m['expected']})")
    click.echo(f"\nBáo cáo JSON: {out}")


@cli.command()
@click.option("--host", default=None, help="Địa chỉ lắng nghe (mặc định 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Cổng (mặc định 7860).")
def serve(host: str | None, port: int | None) -> None:
    """Chạy trang hỏi–đáp (Gradio)."""
    _quiet_libraries()
    from assistant.ui.app import serve as run_server

    settings = _settings(host=host, port=port)
    try:
        run_server(settings)
    except AssistantError as exc:
        raise click.ClickException(str(exc)) from None


@cli.command()
@click.option("--sizes", default="1000,10000,100000", show_default=True, help="Cỡ kho (số đoạn), cách nhau bằng dấu phẩy.")
@click.option("--queries", default=100, show_default=True, type=click.IntRange(1, 1000), help="Số câu hỏi đo mỗi cỡ.")
@click.option("--json", "as_json", is_flag=True, help="In một đối tượng JSON thay cho bảng.")
def bench(sizes: str, queries: int, as_json: bool) -> None:
    """Đo tốc độ nạp, độ trễ tìm kiếm/trả lời và bộ nhớ trên kho tổng hợp 1k/10k/100k đoạn."""
    _quiet_libraries()
    from assistant.bench import format_table, run_bench

    try:
        numbers = [int(x) for x in sizes.split(",") if x.strip()]
    except ValueError:
        raise click.BadParameter(f"'{sizes}' phải là các số nguyên cách nhau bằng dấu phẩy, ví dụ 1000,10000") from None
    progress = (lambda line: click.echo(line, err=True)) if as_json else click.echo
    try:
        result = run_bench(numbers, _settings(), progress, queries=queries)
    except AssistantError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(json.dumps(result, ensure_ascii=False) if as_json else format_table(result))


@cli.command(name="admin-password")
@click.password_option("--password", prompt="Mật khẩu quản trị mới", help="Mật khẩu (sẽ được hỏi nếu không đưa).")
def admin_password(password: str) -> None:
    """In mã băm của mật khẩu quản trị để đặt vào ASSISTANT_ADMIN_PASSWORD_HASH."""
    from assistant.auth import hash_password

    if len(password) < 10:
        raise click.ClickException("Mật khẩu quản trị cần ít nhất 10 ký tự.")
    click.echo(hash_password(password))


if __name__ == "__main__":
    cli()
