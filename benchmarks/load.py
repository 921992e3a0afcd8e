"""Load a running server with simulated residents asking the development-set questions.

Starts nothing: point it at servers you started (`assistant serve`, `assistant serve-api`, or
`make load`). Each user asks, waits for the answer and asks the next one, either the way the
resident page does (Gradio's HTTP API: POST /gradio_api/call/ask → event id, then the event's SSE
stream until `complete`) or through the JSON API (POST /api/v1/ask). Several targets run one
after the other with the same users and questions. Only loopback addresses are accepted; each
run is bounded in time (≤ 60 s plus a grace period for answers in flight) and in requests.

    python benchmarks/load.py --url http://127.0.0.1:7860 --users 50 --seconds 60 [--json]
    python benchmarks/load.py --target page=http://127.0.0.1:7860 --target api=http://127.0.0.1:7860/api/v1 …
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import ipaddress
import itertools
import json
import random
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

QUESTIONS = Path(__file__).resolve().parent.parent / "tests" / "eval" / "questions"
API = "ask"  # api_name of the question box on the resident page
MAX_SECONDS = 60
MAX_USERS = 200
# Replies the page shows when answering failed: counted as errors, not answers.
FAILURES = ("Xin lỗi, đã có lỗi khi tìm câu trả lời", "hệ thống đang gặp sự cố")


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    started: int = 0

    def fail(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


def loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback  # 127.0.0.0/8 and ::1
    except ValueError:
        return False


def load_questions(folder: Path) -> list[str]:
    questions = []
    for path in sorted(folder.glob("*.tsv")):
        with open(path, encoding="utf-8", newline="") as fh:
            rows = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
            questions += [r["question"].strip() for r in rows if (r.get("question") or "").strip()]
    return questions


def final_reply(data: str) -> str:
    """The assistant's last message in the chat history the page returns."""
    _box, history = json.loads(data)[:2]
    content = history[-1]["content"] if history else ""
    if isinstance(content, list):  # Gradio 6 messages: [{"type": "text", "text": …}]
        content = " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content)


async def ask_page(client: httpx.AsyncClient, question: str) -> str | None:
    """Ask one question as the page does; None when the page answered, else the kind of error."""
    posted = await client.post(f"/gradio_api/call/{API}", json={"data": [question, []]})
    if posted.status_code != 200:
        return f"http {posted.status_code}"
    event_id = posted.json()["event_id"]
    event = ""
    async with client.stream("GET", f"/gradio_api/call/{API}/{event_id}") as stream:
        if stream.status_code != 200:
            return f"http {stream.status_code}"
        async for line in stream.aiter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event == "complete":
                reply = final_reply(line[5:].strip())
                return "failed reply" if any(f in reply for f in FAILURES) else None
            elif line.startswith("data:") and event == "error":
                return "error event"
    return "stream ended without an answer"


async def ask_api(client: httpx.AsyncClient, question: str) -> str | None:
    """Ask one question through POST {url}/ask; None when a status and an answer came back."""
    response = await client.post("/ask", json={"question": question})
    if response.status_code != 200:
        return f"http {response.status_code}"
    body = response.json()
    ok = body.get("status") in ("answered", "no_answer", "refused") and body.get("answer")
    return None if ok else "reply without an answer"


async def user(client: httpx.AsyncClient, ask: Callable[[httpx.AsyncClient, str], Awaitable[str | None]],
               questions: Iterator[str], tally: Tally, deadline: float, max_requests: int, timeout: float) -> None:
    while time.perf_counter() < deadline and tally.started < max_requests:
        tally.started += 1
        started = time.perf_counter()
        try:
            error = await asyncio.wait_for(ask(client, next(questions)), timeout)
        except TimeoutError:
            error = f"no answer within {timeout:g} s"
        except httpx.HTTPError as exc:
            error = type(exc).__name__
        if error:
            tally.fail(error)
        else:
            tally.latencies.append(time.perf_counter() - started)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] if ordered else 0.0


async def wait_for(client: httpx.AsyncClient, path: str, wait: float,
                   headers: dict[str, str] | None = None) -> httpx.Response:
    give_up = time.perf_counter() + wait
    while True:
        try:
            return await client.get(path, headers=headers)
        except httpx.TransportError:
            if time.perf_counter() >= give_up:
                raise SystemExit(f"Error: no server answers at {client.base_url} — start one with `assistant serve`.")
            await asyncio.sleep(1)


async def check_page(client: httpx.AsyncClient, wait: float) -> None:
    """Wait for the server (up to `wait` s), then make sure the page exposes the `ask` endpoint."""
    info = await wait_for(client, "/gradio_api/info", wait)
    named = info.json().get("named_endpoints", {}) if info.status_code == 200 else {}
    if f"/{API}" not in named:
        raise SystemExit(f"Error: {client.base_url} has no /{API} endpoint (found: {', '.join(named) or 'none'}).")
    await check_api(client, wait, "/api/v1/healthz")  # the page server warms up like the API


async def check_api(client: httpx.AsyncClient, wait: float, health_path: str = "/healthz") -> None:
    """Wait until every worker is up with its sentence vectors ready, so warm-up is not measured: eight
    health checks in a row, each on a new connection (the kernel spreads connections over workers)."""
    give_up = time.perf_counter() + wait
    ready = 0
    while ready < 8:
        health = await wait_for(client, health_path, wait, {"Connection": "close"})
        ready = ready + 1 if health.status_code == 200 and health.json().get("warm") else 0
        if not ready:
            if time.perf_counter() >= give_up:
                raise SystemExit(f"Error: {client.base_url}{health_path} is not ready: {health.text[:200]}")
            await asyncio.sleep(1)


async def run(url: str, users: int, seconds: float, max_requests: int, timeout: float, wait: float,
              questions: list[str], kind: str = "page") -> dict[str, object]:
    limits = httpx.Limits(max_connections=users + 1, max_keepalive_connections=users + 1)
    async with httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits, trust_env=False) as client:
        await (check_page if kind == "page" else check_api)(client, wait)
        random.Random(42).shuffle(questions)
        pending = itertools.cycle(questions)
        tally = Tally()
        ask = ask_page if kind == "page" else ask_api
        started = time.perf_counter()
        # Each user stops asking at the deadline; an answer in flight gets at most `timeout` more seconds.
        await asyncio.gather(*(user(client, ask, pending, tally, started + seconds, max_requests, timeout)
                               for _ in range(users)))
        elapsed = time.perf_counter() - started
    ok = tally.latencies
    return {
        "url": url, "kind": kind, "users": users, "seconds": round(elapsed, 1), "requests": tally.started,
        "ok": len(ok), "errors": sum(tally.errors.values()), "error_kinds": tally.errors,
        "lost": tally.started - len(ok) - sum(tally.errors.values()),
        "throughput_rps": round(len(ok) / elapsed, 2),
        "p50_ms": round(percentile(ok, 50) * 1000), "p95_ms": round(percentile(ok, 95) * 1000),
        "max_ms": round(max(ok, default=0) * 1000),
    }


def parse_targets(args: argparse.Namespace, parser: argparse.ArgumentParser) -> list[tuple[str, str, str]]:
    """(label, kind, url) for each target, in the order given; `--url` alone means the page."""
    targets = [("page", "page", args.url)] if args.url or not args.api else []
    for item in args.api:
        label, _, url = item.rpartition("=")
        targets.append((label or "api", "api", url))
    for label, _, url in targets:
        if not loopback(url):
            parser.error(f"{label}: {url!r} is not a loopback address (use 127.x.x.x, localhost or [::1])")
    return [(label, kind, url.rstrip("/")) for label, kind, url in targets]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=None, help="a running resident page (loopback only; default "
                        "http://127.0.0.1:7860 when no --api is given)")
    parser.add_argument("--api", action="append", default=[], metavar="LABEL=URL",
                        help="a running JSON API, e.g. api-2-workers=http://127.0.0.1:7861/api/v1 (repeatable)")
    parser.add_argument("--users", type=int, default=50, help=f"concurrent users (1–{MAX_USERS})")
    parser.add_argument("--seconds", type=float, default=60, help=f"how long to send questions to each target (≤ {MAX_SECONDS})")
    parser.add_argument("--max-requests", type=int, default=5000, help="stop after this many questions")
    parser.add_argument("--timeout", type=float, default=60, help="seconds one answer may take")
    parser.add_argument("--wait", type=float, default=0, help="seconds to wait for each server to come up")
    parser.add_argument("--questions", type=Path, default=QUESTIONS, help="folder of *.tsv question files")
    parser.add_argument("--json", action="store_true", help="print the report as JSON (one object per target)")
    args = parser.parse_args(argv)
    if args.url is None and not args.api:
        args.url = "http://127.0.0.1:7860"
    if not 0 < args.seconds <= MAX_SECONDS:
        parser.error(f"--seconds must be between 0 and {MAX_SECONDS}, got {args.seconds}")
    if not 1 <= args.users <= MAX_USERS:
        parser.error(f"--users must be between 1 and {MAX_USERS}, got {args.users}")
    targets = parse_targets(args, parser)
    questions = load_questions(args.questions)
    if not questions:
        parser.error(f"no questions in {args.questions}/*.tsv")
    reports = []
    for label, kind, url in targets:
        report = asyncio.run(run(url, args.users, args.seconds, args.max_requests, args.timeout, args.wait,
                                 list(questions), kind))
        reports.append({"target": label, **report})
        if args.json:
            print(json.dumps(reports[-1], ensure_ascii=False), flush=True)
        else:
            print(f"{label:<16} {report['users']} users, {report['seconds']} s: {report['ok']} answers "
                  f"({report['throughput_rps']}/s), p50 {report['p50_ms']} ms, p95 {report['p95_ms']} ms, "
                  f"max {report['max_ms']} ms, {report['errors']} errors {report['error_kinds'] or ''}, "
                  f"{report['lost']} lost", flush=True)
    if not args.json and len(reports) > 1 and reports[0]["kind"] == "page" and reports[0]["throughput_rps"]:
        for r in reports[1:]:
            print(f"{r['target']}: {float(r['throughput_rps']) / float(reports[0]['throughput_rps']):.1f}× "
                  "the page's answers per second")
    return 1 if any(r["errors"] or r["lost"] for r in reports) else 0


if __name__ == "__main__":
    sys.exit(main())
