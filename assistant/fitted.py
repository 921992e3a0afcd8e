"""The fitted-parameter files in assistant/calibration/: read one, or say how to make it again.

`assistant eval --calibrate` writes them (assistant.calibrate); the answerability and intent
models read them through `read_fitted`, which refuses a file that is unreadable, older than
the code or fitted for another embedding model, with the command that fixes it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.errors import ConfigurationError

FIX = "Hãy chạy `assistant eval --calibrate`"


def read_fitted(path: Path, model: str, is_current: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The parameters in `path`, when `is_current` accepts their format and they were fitted for `model`."""
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"Không đọc được tham số '{path}' ({exc}). {FIX}.") from exc
    if not is_current(data):
        raise ConfigurationError(f"Tham số '{path}' đã cũ so với mã nguồn. {FIX}.")
    if data.get("model") != model:
        raise ConfigurationError(
            f"Tham số '{path}' được hiệu chỉnh cho mô hình '{data.get('model')}', không phải '{model}'. "
            f"{FIX} với mô hình đang dùng."
        )
    return data
