"""Query understanding: expand abbreviations and chat spellings (cleaning is done at the entrance, assistant.question).

The table maps folded forms to accented expansions so both the lexical and the dense pass
see the words the guides use. Keys are whole lower-cased tokens; multi-token values are fine.
"""

from __future__ import annotations

import re

ABBREVIATIONS: dict[str, str] = {
    # documents and services
    "cccd": "căn cước công dân",
    "cmnd": "chứng minh nhân dân",
    "gplx": "giấy phép lái xe",
    "blx": "bằng lái xe",
    "bhyt": "bảo hiểm y tế",
    "bhxh": "bảo hiểm xã hội",
    "dvc": "dịch vụ công",
    "dvctt": "dịch vụ công trực tuyến",
    "tthc": "thủ tục hành chính",
    "lltp": "lý lịch tư pháp",
    "ubnd": "ủy ban nhân dân",
    "nhnn": "ngân hàng nhà nước",
    "dddt": "định danh điện tử",
    "ddcn": "định danh cá nhân",
    "vneid": "VNeID",
    # chat spellings
    "ko": "không",
    "k": "không",
    "kh": "không",
    "khg": "không",
    "hok": "không",
    "dc": "được",
    "dk": "đăng ký",
    "dky": "đăng ký",
    "mk": "mật khẩu",
    "ntn": "như thế nào",
    "sdt": "số điện thoại",
    "dt": "điện thoại",
    "tk": "tài khoản",
    "stk": "số tài khoản",
    "ck": "chuyển khoản",
    "j": "gì",
    "z": "vậy",
    "vs": "với",
    "ng": "người",
    "mn": "mọi người",
    "đc": "được",
    "đk": "đăng ký",
    "qr": "QR",
    "otp": "OTP",
}

_TOKEN = re.compile(r"\w+", re.UNICODE)


def expand(text: str) -> str:
    """Replace known abbreviations (matched on whole folded tokens) by their expansion."""

    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        return ABBREVIATIONS.get(word.lower(), word)

    return _TOKEN.sub(swap, text)
