"""Two-sided situations: the asker's side is read from the question, and only its sections answer."""

import pytest

from assistant.answer import Composer
from assistant.models import Chunk, Passage
from assistant.sides import asker_sides, speaks_to_other_side


@pytest.mark.parametrize("question, side", [
    ("chuyển nhầm tiền cho người khác mà họ không chịu trả thì sao", "sent"),
    ("tôi lỡ chuyển nhầm tiền cho người lạ, họ không trả thì làm sao", "sent"),
    ("chuyen nham tien thi bao ngan hang luc nao", "sent"),
    ("I sent money to the wrong account by mistake. Can the bank reverse it?", "sent"),
    ("Có người chuyển nhầm tiền vào tài khoản tôi thì tôi báo cho ai?", "received"),
    ("tk tu nhien co tien la, co dua goi bao tra ve stk khac", "received"),
    ("Someone sent money to my account by mistake and keeps calling me", "received"),
    ("mình nhận tiền nhầm hay mình chuyển nhầm thì cũng phải báo công an à?", None),  # both sides: no filter
    ("chuyển khoản bằng mã QR thế nào", None),
    ("Tôi nhận làm nhiệm vụ online, họ bảo nạp thêm tiền", None),  # "nhận làm", not "nhận lạ"
    ("Đã lỡ nạp tiền làm nhiệm vụ, giờ ghi lại gì để trình báo?", None),  # "tiền làm", not "tiền lạ"
])
def test_the_askers_side_is_read_from_the_question(question, side):
    assert [s.name for s in asker_sides(question)] == ([side] if side else [])


def test_only_sections_of_the_other_side_are_set_aside():
    sent = asker_sides("tôi chuyển nhầm tiền cho người khác")
    assert speaks_to_other_side("Các bước khi có tiền lạ chuyển nhầm vào tài khoản của bạn", sent)
    assert speaks_to_other_side("Vì sao không tự chuyển trả tiền lạ", sent)
    assert not speaks_to_other_side("Các bước khi lỡ chuyển tiền nhầm tài khoản", sent)
    assert not speaks_to_other_side("Tra soát mất bao lâu, có lấy lại được tiền không", sent)  # both sides read it
    assert not speaks_to_other_side("Vì sao không tự chuyển trả tiền lạ", [])


def test_a_guide_whose_title_names_one_side_speaks_to_that_side_in_every_section():
    sent = asker_sides("lỡ chuyển khoản nhầm, ngân hàng kêu tốn phí tra soát")
    received = asker_sides("tài khoản tôi tự nhiên có tiền lạ, có người gọi đòi")
    receivers = "Tiền lạ vào tài khoản rồi có người đòi chuyển trả: bẫy “chuyển nhầm”"
    both = "Lỡ chuyển tiền nhầm tài khoản hoặc nhận tiền lạ chuyển nhầm thì làm gì"
    assert speaks_to_other_side("Dấu hiệu nhận biết", sent, receivers)
    assert not speaks_to_other_side("Dấu hiệu nhận biết", received, receivers)
    assert not speaks_to_other_side("Tra soát mất bao lâu", sent, both)  # both sides named: section by section
    assert speaks_to_other_side("Các bước khi có tiền lạ chuyển nhầm vào tài khoản của bạn", sent, both)


GUIDE = "corpus/thanh-toan/chuyen-nham.md"


def section(name: str, text: str, position: int) -> Chunk:
    return Chunk(id=f"{GUIDE}#{position}", text=text, title="Chuyển nhầm tiền", section=name, source=GUIDE,
                 url="https://example.gov.vn", source_name="NHNN", checked="2026-11-25", topic="thanh-toan",
                 summary="Chuyển nhầm thì báo ngân hàng; nhận nhầm thì đừng tiêu.", position=position)


def test_the_sender_is_answered_from_the_senders_sections():
    # The receiver's section shares more of the sender's words ("người khác chuyển nhầm", "không trả")
    # and search ranked it first; the reply still speaks to the one who sent the money.
    guide = [
        section("Tóm tắt", "Chuyển nhầm thì báo ngân hàng; nhận nhầm thì đừng tiêu.", 0),
        section("Các bước khi lỡ chuyển tiền nhầm tài khoản",
                "1. Gọi tổng đài ngân hàng để tra soát.\n2. Trình báo công an nếu người nhận không chịu trả.", 1),
        section("Vì sao không tự chuyển trả tiền lạ",
                "- Nếu cố tình giữ tiền người khác chuyển nhầm mà không trả, bạn có thể bị xử lý hình sự.", 2),
    ]
    found = [Passage(guide[i], score=1.0 / (n + 1), dense=0.9 - 0.001 * n, coverage=0.5) for n, i in enumerate([2, 1, 0])]
    answer = Composer({GUIDE: guide}).answered("chuyển nhầm tiền cho người khác mà họ không chịu trả thì sao", found,
                                               kind="whatif")
    assert "tra soát" in answer.text
    assert "bị xử lý hình sự" not in answer.text
