"""The `assistant` command. Heavy libraries load inside commands so `--help` is instant."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from assistant.errors import AssistantError

if TYPE_CHECKING:
    from assistant.pipeline import Assistant
    from assistant.settings import Settings


def _settings(**overrides: Any) -> Settings:
    from assistant.settings import Settings

    values = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**values)


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
@click.option("--force", is_flag=True, help="Chuyển sang chỉ mục mới kể cả khi phép thử trước khi chuyển báo câu trả lời kém đi.")
@click.option("--dry-run", is_flag=True, help="Chỉ xem trước việc sẽ làm (như nút xem trước ở trang quản trị), không nạp.")
def ingest(corpus: Path | None, as_json: bool, force: bool, dry_run: bool) -> None:
    """Nạp hướng dẫn vào chỉ mục: thêm mới, cập nhật tệp đã sửa, bỏ tệp đã xoá."""
    _quiet_libraries()
    from dataclasses import asdict

    from ingest.report import Line, preview_lines, report_lines
    from ingest.sync import preview, sync

    settings = _settings(corpus_dir=corpus)
    lines: list[Line]
    try:
        if dry_run:
            planned = preview(settings, corpus)
            out, lines, refused = asdict(planned), preview_lines(planned), False
        else:
            with _progress_bar(not as_json) as progress:
                report = sync(settings, corpus, progress, force=force)
            out, lines, refused = report.to_json(), report_lines(report), report.refused
    except AssistantError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False))
        if refused:
            sys.exit(1)
        return
    for line in lines:
        click.echo(line.text if line.heading else f"  - {line.text}", err=line.problem)
    if refused:
        raise click.ClickException("Sửa hướng dẫn rồi nạp lại, hoặc chạy `assistant ingest --force` nếu thay đổi là cố ý.")


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    """A rich progress bar on stderr while ingesting (only on a terminal; logs stay clean)."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

    from ingest.report import STAGES

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=False) as bar:
        tasks: dict[str, TaskID] = {}

        def show(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(STAGES.get(stage, stage), total=max(total, 1))
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


def _ask_json_lines(assistant: Assistant, question: str | None) -> None:
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
@click.option("--answers", "answer_set", type=click.Path(path_type=Path), default=Path("tests/eval"),
              show_default=True, help="Tệp hoặc thư mục các tệp answers*.tsv (khóa đáp án).")
@click.option("--fold", type=click.Choice(["test", "train", "all"]), default="test", show_default=True,
              help="Phần dữ liệu để báo cáo: test (chưa dùng khi hiệu chỉnh), train hoặc all.")
@click.option("--calibrate", is_flag=True, help="Hiệu chỉnh lại trên phần train các mô hình 'có trả lời được không', ý định xấu và tình huống lừa đảo.")
@click.option("--out", type=click.Path(path_type=Path), help="Nơi ghi báo cáo JSON (mặc định: data/eval/report.json).")
@click.option("--misses", is_flag=True, help="In thêm từng câu sai cùng các đặc trưng của nó.")
def evaluate(eval_set: Path, answer_set: Path, fold: str, calibrate: bool, out: Path | None, misses: bool) -> None:
    """Đo chất lượng tìm kiếm, ranh giới hướng dẫn và câu trả lời trên bộ câu hỏi đánh giá."""
    _quiet_libraries()
    from assistant.evaluation import format_report, load_answer_cases, load_cases, run, write_report
    from assistant.pipeline import Assistant

    settings = _settings()
    cases = load_cases(eval_set)
    if not cases:
        raise click.ClickException(f"Không có câu hỏi nào trong '{eval_set}'.")
    answer_cases = load_answer_cases(answer_set) if answer_set.exists() else []
    try:
        assistant = Assistant.from_settings(settings, log=False, calibrating=calibrate)
        if calibrate:
            from assistant.calibrate import calibrate as fit

            click.echo(json.dumps(fit(assistant, cases, answer_cases), ensure_ascii=False, indent=1))
            assistant = Assistant.from_settings(settings, log=False)
        report = run(assistant, cases, answer_cases, fold)
    except AssistantError as exc:
        raise click.ClickException(str(exc)) from None
    out = out or settings.eval_report_path
    write_report(report, out)
    click.echo(format_report(report))
    if misses:
        for m in report["misses"]:
            click.echo(f"  [{m['category']}] {m['why']}: {m['question']} → {m['got'] or m['status']} "
                       f"(cần {m['expected']}; {m['kind']}, p={m['probability']}, {m['features']})")
        for f in report.get("answers", {}).get("failures", []):
            click.echo(f"  [answer {f['type']}] {f['question']} (khóa: {f['key']}; {f['status']}, {f['cited']})\n"
                       f"      {f['reply'][:300]!r}")
    click.echo(f"\nBáo cáo JSON: {out}")


@cli.command()
@click.option("--host", default=None, help="Địa chỉ lắng nghe (mặc định 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Cổng (mặc định 7860).")
def serve(host: str | None, port: int | None) -> None:
    """Chạy các trang hỏi–đáp (Gradio) cùng API /api/v1 trong một tiến trình."""
    _quiet_libraries()
    from assistant.server import serve as run_server

    settings = _settings(host=host, port=port)
    try:
        run_server(settings)
    except AssistantError as exc:
        raise click.ClickException(str(exc)) from None


@cli.command()
def warm() -> None:
    """Nhúng sẵn các câu của hướng dẫn cho phiên bản chỉ mục đang phục vụ (máy chủ khởi động nhanh hơn)."""
    _quiet_libraries()
    import time

    from assistant.pipeline import Assistant

    started = time.perf_counter()
    try:
        Assistant.from_settings(_settings(), log=False).warm()
    except AssistantError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Đã chuẩn bị xong ({time.perf_counter() - started:.0f} s).")


@cli.command(name="serve-api")
@click.option("--host", default=None, help="Địa chỉ lắng nghe (mặc định 127.0.0.1).")
@click.option("--port", default=7861, show_default=True, type=int, help="Cổng.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="Số tiến trình.")
def serve_api(host: str | None, port: int, workers: int) -> None:
    """Chạy riêng API /api/v1 và kênh Zalo, nhiều tiến trình (không có các trang)."""
    _quiet_libraries()
    from assistant.server import serve_api as run_api

    try:
        run_api(_settings(host=host, port=port), workers)
    except AssistantError as exc:
        raise click.ClickException(str(exc)) from None


@cli.group(name="api-key")
def api_key() -> None:
    """Quản lý khóa API (lưu dạng băm trong thư mục dữ liệu)."""


@api_key.command(name="create")
@click.argument("name")
@click.option("--rate", default="", help="Giới hạn riêng của khóa, ví dụ 600/minute (mặc định: như máy chủ).")
def api_key_create(name: str, rate: str) -> None:
    """Tạo khóa mới cho NAME (ví dụ: website phường); khóa chỉ hiện một lần."""
    from assistant.api_keys import ApiKeys
    from assistant.ratelimit import parse_rate

    try:
        parse_rate(rate)
        key, secret = ApiKeys(_settings().api_keys_path).create(name, rate)
    except AssistantError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Khóa {key.id} cho “{key.name}” (chỉ hiện lần này, hãy lưu lại):\n{secret}")


@api_key.command(name="list")
def api_key_list() -> None:
    """Liệt kê các khóa (không hiện khóa, chỉ mã nhận diện)."""
    from assistant.api_keys import ApiKeys

    try:
        keys = ApiKeys(_settings().api_keys_path).all()
    except AssistantError as exc:
        raise click.ClickException(str(exc)) from None
    if not keys:
        click.echo("Chưa có khóa nào. Tạo bằng: assistant api-key create \"tên\"")
    for k in keys:
        state = f"thu hồi {k.revoked}" if k.revoked else "đang dùng"
        click.echo(f"{k.id}  {k.name}  tạo {k.created}  giới hạn {k.rate or 'mặc định'}  {state}")


@api_key.command(name="revoke")
@click.argument("key_id")
def api_key_revoke(key_id: str) -> None:
    """Thu hồi khóa KEY_ID (mã 8 ký tự trong danh sách)."""
    from assistant.api_keys import ApiKeys

    try:
        revoked = ApiKeys(_settings().api_keys_path).revoke(key_id)
    except AssistantError as exc:
        raise click.ClickException(str(exc)) from None
    if not revoked:
        raise click.ClickException(f"Không có khóa đang dùng nào mã {key_id}.")
    click.echo(f"Đã thu hồi khóa {key_id}.")


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


@cli.group()
def corpus() -> None:
    """Giữ hướng dẫn đúng quy ước và còn mới: kiểm tra, xem hướng dẫn đến hạn rà soát."""


@corpus.command(name="check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
def corpus_check(paths: tuple[Path, ...], as_json: bool) -> None:
    """Kiểm tra hướng dẫn theo quy ước (mặc định: cả thư mục hướng dẫn); mã thoát 1 khi có lỗi."""
    from ingest.conventions import check_corpus

    settings = _settings()
    if not paths and not settings.corpus_dir.is_dir():
        raise click.ClickException(f"Không tìm thấy thư mục hướng dẫn '{settings.corpus_dir}'. "
                                   "Hãy đưa đường dẫn tệp, hoặc đặt ASSISTANT_CORPUS_DIR.")
    results = check_corpus(paths or [settings.corpus_dir], settings.corpus_dir)
    if not results:
        where = ", ".join(map(str, paths)) or settings.corpus_dir
        raise click.ClickException(f"Không có hướng dẫn nào để kiểm tra trong {where} (nhận .md, .html, .pdf, .docx, .txt).")
    failed = {guide: found for guide, found in results.items() if found}
    if as_json:
        click.echo(json.dumps({"guides": len(results), "failed": len(failed),
                               "findings": {g: [f.to_json() for f in found] for g, found in failed.items()}},
                              ensure_ascii=False))
    else:
        for found in failed.values():
            for finding in found:
                click.echo(f"✗ {finding.message} [{finding.rule}]")
        problems = sum(map(len, failed.values()))
        click.echo(f"Đã kiểm tra {len(results)} hướng dẫn: {len(results) - len(failed)} đạt, "
                   + (f"{len(failed)} cần sửa ({problems} lỗi)." if failed else "không có lỗi."))
    if failed:
        raise SystemExit(1)


@corpus.command(name="status")
@click.option("--all", "show_all", is_flag=True, help="Liệt kê mọi hướng dẫn, không chỉ hướng dẫn đến hạn rà soát.")
@click.option("--json", "as_json", is_flag=True, help="In danh sách dạng JSON.")
def corpus_status(show_all: bool, as_json: bool) -> None:
    """Hướng dẫn đến hạn rà soát (checked + review_every đã qua), hướng dẫn được trích nhiều trong 30 ngày lên trước."""
    from assistant.freshness import WINDOW_DAYS, review_status

    try:
        reviews, errors = review_status(_settings(), include_all=show_all)
    except AssistantError as exc:
        raise click.ClickException(str(exc)) from None
    due = sum(r.due for r in reviews) if show_all else len(reviews)
    if as_json:
        click.echo(json.dumps({"due": due, "guides": [r.to_json() for r in reviews], "errors": errors},
                              ensure_ascii=False))
        return
    if reviews:
        width = max(len("hướng dẫn"), *(len(r.guide) for r in reviews))
        click.echo(f"{'hướng dẫn':<{width}}  kiểm tra    chu kỳ  quá hạn  trích {WINDOW_DAYS} ngày  tiêu đề")
        for r in reviews:
            late = f"{r.due_since}" if r.due else f"còn {-r.due_since}"
            click.echo(f"{r.guide:<{width}}  {r.checked}  {r.review_every:>6}  {late:>7}  {r.citations:>13}  {r.title}")
    click.echo(f"{due} hướng dẫn cần rà soát (chu kỳ và quá hạn tính bằng ngày).")
    for reason in errors.values():
        click.echo(f"Bỏ qua tệp lỗi: {reason} — xem `assistant corpus check`.", err=True)


if __name__ == "__main__":
    cli()
