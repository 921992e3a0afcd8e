"""Ten real follow-ups, condensed into standalone questions without an LLM."""

import pytest

from assistant.conversation import Exchange, condense, step_reference
from assistant.models import Answer, Citation


def answered(question: str, title: str = "Hướng dẫn") -> Exchange:
    citation = Citation(1, "corpus/x.md", title, "Các bước", "https://example.gov.vn", "…", 0.5)
    return Exchange(question, Answer(question, "answered", "…", [citation]))


@pytest.mark.parametrize(
    "previous, follow_up, expected",
    [
        ("Làm sao đăng ký VNeID mức 2?", "còn nếu quên mật khẩu thì sao?", "nếu quên mật khẩu thì sao VNeID"),
        ("kich hoat vneid the nao", "quên passcode thì sao", "quên passcode thì sao VNeID"),
        ("Chuyển khoản bằng mã QR như thế nào?", "thế còn chuyển nhầm thì sao?", "chuyển nhầm thì sao mã QR chuyển khoản ngân hàng"),
        ("Thẻ BHYT trên VNeID hiện sai", "sửa ở đâu", "sửa ở đâu VNeID thẻ bảo hiểm y tế"),
        ("đăng ký tạm trú online", "cần giấy tờ gì?", "cần giấy tờ gì đăng ký tạm trú thường trú"),
        ("Nộp hồ sơ trên Cổng dịch vụ công", "vậy trả lệ phí thế nào?", "trả lệ phí thế nào Cổng dịch vụ công"),
        ("ví điện tử là gì", "có an toàn không", "có an toàn không ví điện tử"),
        ("How do I open a bank account online?", "what about the age limit?", "the age limit ngân hàng"),
        ("Làm phiếu lý lịch tư pháp trên VNeID", "mất bao lâu", "mất bao lâu VNeID phiếu lý lịch tư pháp"),
        ("bị lừa đảo mất tiền", "báo cho ai?", "báo cho ai lừa đảo"),
    ],
)
def test_follow_up_carries_the_previous_subject(previous, follow_up, expected):
    assert condense(follow_up, [answered(previous)]) == expected


def test_question_with_its_own_subject_stands_alone():
    history = [answered("Làm sao đăng ký VNeID mức 2?")]
    assert condense("chuyển khoản nhầm thì sao", history) == "chuyển khoản nhầm thì sao"


def test_subject_comes_from_the_cited_guide_when_the_question_names_none():
    history = [answered("quên thì làm sao", title="Lấy lại mật khẩu VNeID khi bị quên")]
    assert condense("còn đổi thì sao", history) == "đổi thì sao Lấy lại mật khẩu VNeID khi bị quên"


def test_no_history_means_no_change():
    assert condense("mất bao lâu", []) == "mất bao lâu"


@pytest.mark.parametrize("question, step", [("bước 3 là gì?", 3), ("buoc 2 la gi", 2), ("Bước 1", 1), ("what is step 4?", 4)])
def test_step_references_are_recognised(question, step):
    assert step_reference(question) == step


def test_a_question_that_only_mentions_a_step_is_not_a_step_reference():
    assert step_reference("bước 2 cần mang giấy tờ gì khi đăng ký tạm trú") is None
