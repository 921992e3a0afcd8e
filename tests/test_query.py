import pytest

from assistant.query import expand
from assistant.question import read_question


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("quen mk vneid", "quen mật khẩu VNeID"),
        ("sao ko nhan dc ma otp", "sao không nhan được ma OTP"),
        ("chuyen khoan qr ntn", "chuyen khoan QR như thế nào"),
        ("dk tam tru cho nguoi thue nha", "đăng ký tam tru cho nguoi thue nha"),
        ("tich hop GPLX va BHYT", "tich hop giấy phép lái xe va bảo hiểm y tế"),
        ("đc ko", "được không"),
        ("ck nham stk", "chuyển khoản nham số tài khoản"),
    ],
)
def test_abbreviations_and_chat_spellings_expand(typed, expected):
    assert expand(typed) == expected


def test_expansion_only_touches_whole_words():
    assert expand("kho khăn") == "kho khăn"  # "k" alone means "không", "kho" is a word
    assert expand("cccd2") == "cccd2"


def test_the_entrance_cuts_very_long_input():
    assert len(read_question("a" * 10_000, max_chars=2000).text) == 2000
