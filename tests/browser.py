"""Helpers for browser tests: a real server on a free loopback port, Debian's Chromium via Playwright."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def running_server(data_dir: Path, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data_dir), **(extra_env or {})}
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError("server exited: " + proc.stdout.read().decode(errors="replace"))  # type: ignore[union-attr]
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            raise RuntimeError("server did not start in time")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextlib.contextmanager
def chromium_page(width: int = 1280, height: int = 900, scale: float = 1, dark: bool = False) -> Iterator[object]:
    """A page in Debian's Chromium; `scale` 2 on half the size is a browser zoomed to 200%."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN",
                                          device_scale_factor=scale, color_scheme="dark" if dark else "light")
            yield context.new_page()
        finally:
            browser.close()


# Where an element is, as a reader sees it: inside the window, not under something pinned over it (the
# question box kept at the bottom of the resident page), and no box around it that scrolls on its own.
SHOWN_IN_PAGE_JS = """(el) => {
  const r = el.getBoundingClientRect();
  const boxes = [];
  for (let e = el.parentElement; e && e !== document.documentElement; e = e.parentElement) {
    const s = getComputedStyle(e);
    if (/(auto|scroll)/.test(s.overflowY) && e.scrollHeight > e.clientHeight + 1)
      boxes.push(e.tagName + '#' + e.id + '.' + e.className);
  }
  const top = document.elementFromPoint(r.left + Math.min(20, r.width / 2), r.top + Math.min(10, r.height / 2));
  return {in_window: r.top >= 0 && r.bottom <= window.innerHeight, scrolling_boxes: boxes,
          covered: !(top && (top === el || el.contains(top)))};
}"""


def assert_read_in_page(locator) -> None:  # type: ignore[no-untyped-def]
    """The element is on screen now, uncovered, and in no inner box that has to be scrolled to read it."""
    where = locator.evaluate(SHOWN_IN_PAGE_JS)
    assert where == {"in_window": True, "scrolling_boxes": [], "covered": False}, where
