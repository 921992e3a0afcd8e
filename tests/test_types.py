"""The types hold: mypy --strict over assistant/ and ingest/ (config in pyproject.toml), as in `make check`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_strict_is_clean():
    mypy = Path(sys.executable).parent / "mypy"
    if not mypy.exists() and shutil.which("mypy") is None:
        pytest.skip("mypy is installed with the test extras (`make install`)")
    proc = subprocess.run([str(mypy) if mypy.exists() else "mypy"], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:]
