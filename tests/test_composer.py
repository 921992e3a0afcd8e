"""The reply answers the kind of question asked, says nothing twice, cuts no bullet and flags old guides."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import numpy as np
import pytest

from assistant.answer import Composer, says_unconfirmed, sentences_in
from assistant.models import Chunk, Passage

GUIDE = "corpus/vneid/doi-the.md"
TITLE = "Đổi thẻ căn cước theo địa danh mới"
SUMMARY = "Bạn có thể đổi thẻ căn cước theo địa danh mới trên VNeID bằng tài khoản mức 2."


def chunk(section: str, text: str, position: int, checked: str = "2026-11-25", review_every: int = 180,
          source: str = GUIDE, title: str = TITLE, topic: str = "vneid") -> Chunk:
    return Chunk(id=f"{source}#{position}", text=text, title=title, section=section, source=source,
                 url="https://example.gov.vn/huong-dan", source_name="Bộ Công an", checked=checked, topic=topic,
                 summary=SUMMARY, position=position, review_every=review_every)


def guide(checked: str = "2026-11-25") -> list[Chunk]:
    return [
        chunk("Tóm tắt", SUMMARY, 0, checked),
        chunk("Các bước đổi thẻ", "1. Mở VNeID và đăng nhập.\n2. Chọn \"Thủ tục hành chính\".\n3. Gửi hồ sơ.", 1, checked),
        chunk("Lệ phí và thời hạn", "- Đổi thẻ vì địa danh mới được miễn lệ phí.\n"
              "- Hạn giải quyết là 7 ngày làm việc.\n- Thẻ cũ còn hạn vẫn dùng được.", 2, checked),
        chunk("Lưu ý", "- Không đưa mã OTP cho ai.\n- Tên mục trong ứng dụng có thể khác.", 3, checked),
    ]


def composer(chunks: list[Chunk], today: dt.date = dt.date(2026, 11, 30)) -> Composer:
    return Composer({GUIDE: chunks}, today=lambda: today, where_to_ask="bộ phận một cửa")


def passages(chunks: list[Chunk], order: list[int]) -> list[Passage]:
    return [Passage(chunks[i], score=1.0 / (n + 1), dense=0.9 - 0.01 * n, coverage=0.5) for n, i in enumerate(order)]


def embed_by_closeness(closeness: dict[str, float]) -> Callable[[list[str]], np.ndarray]:
    """Unit vectors whose cosine to the question [1, 0] is the closeness of the first key a text holds
    (0.5 for none); the dict is read at each call, so a test may change it between answers."""
    def embed(texts: list[str]) -> np.ndarray:
        sims = [next((v for k, v in closeness.items() if k in t), 0.5) for t in texts]
        return np.array([[s, (1 - s * s) ** 0.5] for s in sims], dtype=np.float32)
    return embed


def sentences_of(reply: str) -> list[str]:
    lines = [re.sub(r"\s*\[\d+\]$", "", line).strip("-• ") for line in reply.splitlines()]
    return [line for line in lines if len(line) > 20]


def test_how_much_question_leads_with_the_fee_sentence():
    chunks = guide()
    answer = composer(chunks).answered("đổi thẻ theo địa danh mới có mất tiền không", passages(chunks, [1, 2, 0]),
                                       kind="amount")
    assert answer.text.splitlines()[0].startswith("Đổi thẻ vì địa danh mới được miễn lệ phí.")


def test_a_fee_question_leads_with_a_sum_said_of_a_fee_not_with_a_limit():
    chunks = guide()
    chunks[2] = chunk("Hạn mức và phí", "- Chuyển trên 10 triệu đồng một lần phải quét khuôn mặt.\n"
                      "- Phí chuyển khoản là 0 đồng với hầu hết ngân hàng.", 2)
    embed = embed_by_closeness({"10 triệu": 0.87, "Phí chuyển": 0.865})
    c = Composer({GUIDE: chunks}, embed=embed, today=lambda: dt.date(2026, 11, 30))
    answer = c.answered("chuyển khoản mất phí bao nhiêu", passages(chunks, [2, 1, 0]), kind="amount",
                        vector=np.array([1.0, 0.0], dtype=np.float32))
    assert answer.text.splitlines()[0].startswith("Phí chuyển khoản là 0 đồng"), answer.text


def test_how_long_question_leads_with_the_duration_in_the_unit_it_asks_for():
    chunks = guide()
    chunks[2] = chunk("Lệ phí và thời hạn", "- Thẻ mới có giá trị 15 năm kể từ ngày cấp thẻ mới.\n"
                      "- Hạn giải quyết là 7 ngày làm việc.", 2)
    for question, first in (("đổi thẻ mất mấy ngày", "Hạn giải quyết là 7 ngày"),
                            ("thẻ mới được dùng bao nhiêu năm", "Thẻ mới có giá trị 15 năm")):
        answer = composer(chunks).answered(question, passages(chunks, [2, 1, 0]), kind="time")
        assert answer.text.splitlines()[0].startswith(first), (question, answer.text)


def test_a_heading_that_only_repeats_the_guides_subject_does_not_pull_the_lead():
    chunks = guide()
    chunks[1] = chunk("Các bước đổi thẻ căn cước theo địa danh mới",
                      "1. Chuẩn bị thẻ cũ.\n2. Chọn \"Thủ tục hành chính\".\n3. Gửi hồ sơ.", 1)
    chunks[0] = chunk("Tóm tắt", "Ai có tài khoản mức 2 cũng làm được.", 0)
    chunks[2] = chunk("Nơi làm", "- Nộp tại công an xã, phường nơi bạn ở.", 2)
    answer = composer(chunks).answered("đổi thẻ căn cước theo địa danh mới làm ở đâu", passages(chunks, [1, 2, 0]),
                                       kind="place")
    assert answer.text.splitlines()[0].startswith("Nộp tại công an xã"), answer.text


def test_how_to_question_gets_summary_then_all_steps_in_order():
    chunks = guide()
    answer = composer(chunks).answered("làm sao đổi thẻ căn cước theo địa danh mới", passages(chunks, [1, 0, 2]),
                                       kind="howto")
    assert answer.text.splitlines()[0].startswith(SUMMARY)
    assert answer.steps == ["Mở VNeID và đăng nhập.", "Chọn \"Thủ tục hành chính\".", "Gửi hồ sơ."]


def test_a_how_to_stays_with_the_guide_search_ranked_first_when_its_steps_were_not_retrieved():
    """Search ranked the phone-number guide's summary first and another guide's steps third, steps that
    happen to hold every word of the question ("Cách", "số điện thoại"): the how-to is answered with
    the first guide's own steps. Neither "Cách" nor steps in the retrieved section itself is the subject."""
    phone_source, password_source = "corpus/vneid/doi-so.md", "corpus/vneid/quen-mat-khau.md"
    phone = [chunk("Tóm tắt", "Muốn đổi số điện thoại gắn với VNeID, bạn đến công an xã, phường.", 0,
                   source=phone_source, title="Đổi số điện thoại VNeID"),
             chunk("Các bước đổi số tại công an xã", "1. Mang thẻ căn cước.\n2. Nói với cán bộ số mới.", 1,
                   source=phone_source, title="Đổi số điện thoại VNeID")]
    password = [chunk("Các bước lấy lại mật khẩu", "1. Chọn cách lấy lại mật khẩu.\n2. Nhập số điện thoại "
                      "đã đăng ký VNeID.\n3. Đặt mật khẩu mới.", 0, source=password_source, title="Quên mật khẩu")]
    found = [Passage(phone[0], score=1.0, dense=0.946), Passage(password[0], score=0.5, dense=0.930)]
    both = Composer({phone_source: phone, password_source: password}, today=lambda: dt.date(2026, 11, 30),
                    where_to_ask="bộ phận một cửa")
    answer = both.answered("Cách đổi số điện thoại đăng ký VNeID?", found, kind="howto")
    assert {c.source for c in answer.citations} == {phone_source}
    assert answer.steps == ["Mang thẻ căn cước.", "Nói với cán bộ số mới."]
    assert "Các bước đổi số tại công an xã: [1]" in answer.text  # the steps say what they are for


def test_a_fee_is_never_taken_from_another_guide_than_the_one_search_ranked_first():
    """'VNeID có thu phí không': the criminal-record guide's fee section holds every word asked ("thu",
    "phí", "VNeID") and would fit best, but its fee is another procedure's; the section search put first
    says the account is free. A how-to is still free to take the best-fitting guide."""
    account_source, record_source = "corpus/vneid/vneid-la-gi.md", "corpus/vneid/ly-lich-tu-phap.md"
    account = [chunk("Làm tài khoản VNeID có mất phí không", "Đăng ký và dùng tài khoản VNeID được miễn phí.", 0,
                     source=account_source, title="VNeID là gì")]
    record = [chunk("Phí xin phiếu lý lịch tư pháp trên VNeID", "Mức thu phí là 200.000 đồng một phiếu trên VNeID.", 0,
                    source=record_source, title="Lý lịch tư pháp")]
    found = [Passage(account[0], score=1.0, dense=0.917), Passage(record[0], score=0.5, dense=0.915)]
    both = Composer({account_source: account, record_source: record}, today=lambda: dt.date(2026, 11, 30),
                    where_to_ask="bộ phận một cửa")
    answer = both.answered("vneid có thu phí không", found, kind="amount")
    assert answer.text.startswith("Đăng ký và dùng tài khoản VNeID được miễn phí.")
    assert "200.000" not in answer.text and {c.source for c in answer.citations} == {account_source}
    assert both.answered("vneid có thu phí không", found, kind="other").citations[0].source == record_source


def test_no_sentence_is_said_twice_and_no_bullet_is_cut():
    chunks = guide()
    for kind in ("howto", "amount", "time", "yesno", "other"):
        answer = composer(chunks).answered("đổi thẻ có mất tiền không, mấy ngày", passages(chunks, [0, 2, 1, 3]),
                                           kind=kind)
        said = sentences_of(answer.text)
        assert len(said) == len(set(said)), (kind, answer.text)
        assert not any(line.rstrip().endswith(" …") for line in answer.text.splitlines())


def test_guide_past_its_review_date_says_when_it_was_checked():
    chunks = guide(checked="2025-01-10")
    answer = composer(chunks).answered("làm sao đổi thẻ căn cước", passages(chunks, [1, 0]), kind="howto")
    assert "kiểm tra lần cuối ngày 10/01/2025" in answer.text
    fresh = guide()
    assert "kiểm tra lần cuối" not in composer(fresh).answered("làm sao đổi thẻ", passages(fresh, [1, 0])).text


def test_a_guide_that_says_it_does_not_know_gives_an_honest_no_answer_with_its_words():
    chunks = [chunk("Phí", "- Hướng dẫn này chưa kiểm chứng được lệ phí cấp lại thẻ bị mất nên không ghi ở đây.", 0),
              chunk("Lưu ý", "- Không đưa mã OTP cho ai.", 1)]
    answer = composer(chunks).answered("cấp lại thẻ bị mất mất bao nhiêu tiền", passages(chunks, [0, 1]),
                                       kind="amount")
    assert answer.status == "no_answer"
    assert "chưa kiểm chứng được lệ phí" in answer.text and "bộ phận một cửa" in answer.text
    assert answer.citations[0].source == GUIDE


def test_see_also_lists_at_most_two_close_guides():
    chunks = guide()
    others = [chunk("Tóm tắt", f"Hướng dẫn khác số {i} nói về căn cước.", 10 + i, source=f"corpus/vneid/khac-{i}.md",
                    title=f"Hướng dẫn khác {i}") for i in range(4)]
    found = passages(chunks, [1, 0]) + [Passage(c, 0.1, dense=0.895, coverage=0.6) for c in others]
    answer = Composer({GUIDE: chunks, **{c.source: [c] for c in others}}).answered("làm sao đổi thẻ", found)
    related = [line for line in answer.text.splitlines() if line.startswith("Xem thêm:")]
    assert len(related) == 1 and related[0].count("Hướng dẫn khác") == 2


def test_sentences_keep_list_items_whole():
    text = "- Một ý rất dài. Có hai câu trong cùng một gạch đầu dòng.\n1. Bước một."
    assert sentences_in(text) == ["Một ý rất dài. Có hai câu trong cùng một gạch đầu dòng.", "Bước một."]


def test_how_many_question_leads_with_a_sentence_that_states_a_count():
    chunks = guide() + [chunk("Thành phần", "- Mỗi tổ gồm tổ trưởng và 2 người biết dùng điện thoại.", 4)]
    answer = composer(chunks).answered("tổ có mấy người", passages(chunks, [0, 1, 4]), kind="count")
    assert answer.text.splitlines()[0].startswith("Mỗi tổ gồm tổ trưởng và 2 người")


def test_how_to_with_a_situation_shows_the_steps_that_fit_it():
    chunks = guide() + [chunk("Các bước khi thẻ bị mất", "1. Báo mất trên VNeID.\n2. Chọn cấp lại thẻ.", 4)]
    answer = composer(chunks).answered("thẻ bị mất rồi thì làm lại thế nào", passages(chunks, [1, 4, 0]),
                                       kind="howto")
    assert answer.steps == ["Báo mất trên VNeID.", "Chọn cấp lại thẻ."]


def test_a_pinned_first_passage_stays_the_main_section_however_well_another_fits():
    scam_source = "corpus/an-toan/cuoc-goi-gia-danh.md"
    scam = chunk("Dấu hiệu nhận biết", "- Người gọi xưng công an và bắt chuyển tiền là lừa đảo.", 0,
                 source=scam_source, title="Cuộc gọi giả danh", topic="an-toan")
    chunks = guide()
    found = [Passage(scam, score=1.0, dense=0.80, coverage=0.1)] + passages(chunks, [2, 1])
    both = Composer({GUIDE: chunks, scam_source: [scam]}, today=lambda: dt.date(2026, 11, 30),
                    where_to_ask="bộ phận một cửa")
    question = "có người gọi bảo đổi thẻ căn cước phải chuyển lệ phí, có đúng không"
    assert both.answered(question, found, kind="yesno").citations[0].source != scam_source  # the fee section fits better
    assert both.answered(question, found, kind="yesno", pinned=True).citations[0].source == scam_source


def test_a_pinned_scam_reply_gives_the_summary_then_the_fitting_sentence_never_the_scammers_script():
    scam_source = "corpus/an-toan/cuoc-goi-gia-danh.md"
    summary = "Người gọi xưng công an mà bắt chuyển tiền hay cài ứng dụng là kẻ lừa đảo, hãy tắt máy."

    def scam(section: str, text: str, position: int) -> Chunk:
        return Chunk(id=f"{scam_source}#{position}", text=text, title="Cuộc gọi giả danh", section=section,
                     source=scam_source, url="https://example.gov.vn/canh-bao", source_name="Bộ Công an",
                     checked="2026-11-25", topic="an-toan", summary=summary, position=position, review_every=90)

    chunks = [scam("Tóm tắt", summary, 0),
              scam("Kẻ gian thường nói gì qua điện thoại", "- Bảo cài ứng dụng điều khiển từ xa để cập nhật hồ sơ.", 1),
              scam("Sự thật cần nhớ", "- Ứng dụng điều khiển từ xa cho người lạ chiếm quyền điện thoại của bạn.", 2),
              scam("Các bước xử lý", "1. Tắt máy.\n2. Không cài ứng dụng.", 3)]
    found = [Passage(chunks[1], score=1.0, dense=0.9, coverage=0.8), Passage(chunks[2], score=0.5, dense=0.88, coverage=0.6)]
    answer = Composer({scam_source: chunks}, today=lambda: dt.date(2026, 11, 30)).answered(
        "người lạ bảo cài ứng dụng điều khiển từ xa để cập nhật hồ sơ, có sao không", found, kind="whatif", pinned=True)
    lines = answer.text.splitlines()
    assert lines[0].startswith(summary[:-1]) and lines[1].startswith("Ứng dụng điều khiển từ xa cho người lạ"), answer.text
    assert "Bảo cài ứng dụng điều khiển từ xa" not in answer.text  # the scammer's words are not read back
    assert answer.citations[0].source == scam_source and answer.steps == ["Tắt máy.", "Không cài ứng dụng."]


def test_a_how_to_leads_with_the_guides_note_on_the_situation_asked_about():
    chunks = guide()
    chunks[3] = chunk("Lưu ý", "- Không đưa mã OTP cho ai.\n- Mất thẻ cũ thì báo mất trên VNeID trước khi đổi.", 3)
    answer = composer(chunks).answered("mất thẻ cũ thì đổi thẻ thế nào", passages(chunks, [1, 0, 2]), kind="howto")
    lines = answer.text.splitlines()
    assert lines[0].startswith("Mất thẻ cũ thì báo mất trên VNeID trước khi đổi."), answer.text
    assert answer.steps and answer.text.count("Mất thẻ cũ thì báo mất") == 1


def test_an_english_question_is_matched_to_sentences_by_its_vietnamese_terms():
    chunks = guide()
    chunks[2] = chunk("Khi gặp khó", "- Thẻ cũ còn hạn vẫn dùng được.\n- Bị mất thẻ cũ thì báo mất trên VNeID trước.", 2)
    answer = composer(chunks).answered("What if I lost my old card?", passages(chunks, [2, 1, 0]), lang="en",
                                       kind="whatif")
    assert "Bị mất thẻ cũ thì báo mất trên VNeID trước." in answer.text.splitlines()[1], answer.text


def test_citation_marks_are_read_one_way_everywhere():
    from assistant.reply import MARK, mark_numbers, without_marks

    text = "Mở VNeID [1].\n1. Chọn mục [2, 3]\n2. Gửi hồ sơ [4–6]\nKhông phải dấu: [ghi chú]"
    assert mark_numbers(text) == [1, 2, 3, 4, 5, 6]
    assert without_marks(text) == "Mở VNeID.\n1. Chọn mục\n2. Gửi hồ sơ\nKhông phải dấu: [ghi chú]"
    assert [m.group(0) for m in MARK.finditer(text)] == ["[1]", "[2, 3]", "[4–6]"]


def test_saved_sentence_vectors_are_read_and_never_reused_for_changed_sentences(tmp_path):
    import numpy as np

    calls: list[list[str]] = []

    def embed(texts: list[str]) -> np.ndarray:
        calls.append(texts)
        return np.ones((len(texts), 4), dtype=np.float32)

    cache = tmp_path / "sentences.npz"
    Composer({GUIDE: guide()}, embed=embed).warm(cache)
    embedded = sum(len(c) for c in calls)
    assert embedded > 0 and cache.exists()

    calls.clear()
    later = Composer({GUIDE: guide()}, embed=embed)
    later.load(cache)
    later.warm()
    assert calls == []  # every section's vectors came from the file

    changed = [c if c.position != 2 else chunk(c.section, c.text.replace("7 ngày", "10 ngày"), 2) for c in guide()]
    edited = Composer({GUIDE: changed}, embed=embed)
    edited.load(cache)
    edited.warm()
    assert len(calls) == 1 and any("10 ngày" in t for t in calls[0])  # only the changed section is embedded again

    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"not a numpy file")
    Composer({GUIDE: guide()}, embed=embed).load(broken)  # skipped, no error


@pytest.mark.parametrize("sentence, doubt, doubt_in_first_clause", [
    ("Chúng tôi chưa xác nhận việc này đã áp dụng.", True, True),
    ("Chưa kiểm chứng được giấy khám sức khỏe cần nộp thế nào, có cần bản điện tử hay không.", True, True),
    # the subscriber has not confirmed: a fact, not the guide's doubt
    ("Sau 60 ngày bị khóa một chiều mà chưa xác nhận thì bị khóa hai chiều.", False, False),
    # what a screen shows, in quotes
    ('"Chưa có thông tin" hay "không tìm thấy" chỉ có nghĩa là chưa ai báo cáo số đó.', False, False),
    # an answer, then a caveat on the steps
    ("Bằng lái sắp hết hạn có thể đổi tại nhà qua Cổng dịch vụ công; hướng dẫn này chưa có nguồn đầy đủ cho từng bước.",
     True, False),
    ("Năm 2026 chưa thấy nguồn nói rõ còn dùng mã này hay không, hãy hỏi trường con đang học.", True, True),
    ("Bài viết chỉ liệt kê bốn chữ T, không giải thích mỗi chữ gồm những việc gì.", True, True),
    ("Nguồn tìm được không nêu mức phạt riêng cho việc khai tử chậm vài ngày.", True, True),
    # a source named in passing is not a doubt
    ("Theo cẩm nang của điện lực (không rõ ngày đăng), có ba cách trả tiền điện.", False, False),
])
def test_a_guide_saying_it_could_not_confirm_is_told_from_facts_and_quotes(sentence, doubt, doubt_in_first_clause):
    assert says_unconfirmed(sentence) is doubt
    assert says_unconfirmed(sentence, caveat_counts=False) is doubt_in_first_clause


def test_a_fact_that_mentions_not_confirming_is_answered_not_declined():
    sim = [
        chunk("Tóm tắt", "Thuê bao phải xác nhận thông tin theo căn cước.", 0),
        chunk("Thời hạn", "- Sau 30 ngày chưa xác nhận thì bị khóa một chiều.\n"
              "- Sau 60 ngày bị khóa một chiều mà chưa xác nhận thì bị khóa hai chiều.", 1),
    ]
    answer = composer(sim).answered("không xác nhận thì bao lâu bị khóa hai chiều", passages(sim, [1, 0]), kind="time")
    assert answer.status == "answered"
    assert "60 ngày" in answer.text.split("\n")[0]


def test_a_doubt_beside_a_plain_statement_of_the_fact_asked_is_not_a_decline():
    # The guide doubts the fee of one case and states the fee of another plainly: the plain one answers.
    fee = [
        chunk("Tóm tắt", "Bạn có thể xin cấp lại thẻ căn cước trên VNeID.", 0),
        chunk("Lưu ý", "- Chúng tôi chưa thấy nguồn nói riêng về lệ phí cấp lại sau khi sáp nhập.\n"
              "- Người cao tuổi được miễn lệ phí cấp lại thẻ căn cước.", 1),
    ]
    closeness = {"chưa thấy": 0.90, "miễn": 0.89}
    embed = embed_by_closeness(closeness)

    asked = "người cao tuổi cấp lại thẻ căn cước có phải nộp lệ phí cấp lại không"
    answer = Composer({GUIDE: fee}, embed=embed).answered(asked, passages(fee, [1, 0]), kind="yesno",
                                                         vector=np.array([1.0, 0.0], dtype=np.float32))
    assert answer.status == "answered" and answer.text.startswith("Người cao tuổi được miễn lệ phí")
    closeness["miễn"] = 0.2  # the doubt alone leads: the guide does not know, so neither do we
    doubt = Composer({GUIDE: fee}, embed=embed).answered(asked, passages(fee, [1, 0]), kind="yesno",
                                                        vector=np.array([1.0, 0.0], dtype=np.float32))
    assert doubt.status == "no_answer" and "chưa thấy nguồn" in doubt.text


def test_a_retold_scam_story_never_leads_a_question_about_what_to_do():
    # "Kẻ gian thường nói gì" shares every word with the asker's story, yet says nothing of what to do.
    calls = [
        chunk("Tóm tắt", "Người gọi xưng cán bộ thuế bảo cập nhật hồ sơ qua đường link là kẻ lừa đảo.", 0,
              topic="an-toan"),
        chunk("Kẻ gian thường nói gì qua điện thoại",
              "- Xưng là cán bộ thuế, mời hộ kinh doanh cập nhật hồ sơ theo nghị định mới.", 1, topic="an-toan"),
        chunk("Khi thông tin thật sự sai", "- Thông tin sai thật thì tự đến cơ quan thuế để hỏi.", 2, topic="an-toan"),
        chunk("Dấu hiệu nhận biết", "- Cơ quan thuế không gửi đường link cập nhật hồ sơ qua tin nhắn.", 3, topic="an-toan"),
    ]
    for asked, kind in (("cán bộ thuế mời hộ kinh doanh cập nhật hồ sơ theo nghị định, tôi nên làm gì", "howto"),
                        ("cán bộ thuế mời hộ kinh doanh cập nhật hồ sơ theo nghị định thì sao", "whatif"),
                        ("thông tin hồ sơ thuế sai thật thì đến đâu", "place")):
        answer = composer(calls).answered(asked, passages(calls, [1, 2, 0, 3]), kind=kind)
        assert "Xưng là cán bộ thuế" not in answer.text.split("\n")[0], (kind, answer.text)


def test_what_if_shows_what_to_do_from_the_section_that_states_the_situation():
    face = [
        chunk("Tóm tắt", "Bạn có thể tự cập nhật sinh trắc học trên ứng dụng ngân hàng.", 0),
        chunk("Các bước", "1. Mở ứng dụng ngân hàng.\n2. Áp thẻ căn cước vào lưng điện thoại.\n3. Quét khuôn mặt.", 1),
        chunk("Khi khuôn mặt không khớp với ảnh trong chip",
              "- Nếu khuôn mặt đã thay đổi nhiều so với ảnh trong chip, ví dụ sau khi sửa mũi, hệ thống có thể không nhận ra bạn.\n"
              "- Hãy thử lại ở chỗ đủ sáng, bỏ khẩu trang và kính râm.\n"
              "- Nếu vẫn không được, hãy mang thẻ căn cước ra quầy ngân hàng.", 2),
    ]
    answer = composer(face).answered("tôi mới sửa mũi, quét mặt không khớp ảnh trong chip thì sao",
                                     passages(face, [2, 1, 0]), kind="whatif")
    assert answer.text.startswith("Nếu khuôn mặt đã thay đổi nhiều")
    assert "ra quầy ngân hàng" in answer.text and "đủ sáng" in answer.text  # no word of the question, yet what to do


def test_a_section_named_for_the_situation_asked_about_leads():
    chip = [
        chunk("Tóm tắt", "Bạn có thể cập nhật sinh trắc học bằng thẻ căn cước gắn chip.", 0),
        chunk("Cần chuẩn bị gì", "- Điện thoại có NFC để đọc chip.\n- Thẻ còn hạn.", 1),
        chunk("Khi điện thoại không đọc được chip thẻ căn cước",
              "- Tháo ốp lưng dày hoặc ốp có kim loại.\n- Nếu vẫn không được, hãy ra quầy ngân hàng.", 2),
    ]
    answer = composer(chip).answered("điện thoại không đọc được chip thẻ căn cước thì sao",
                                     passages(chip, [1, 2, 0]), kind="whatif")
    assert answer.text.startswith("Tháo ốp lưng") or answer.text.startswith("Nếu vẫn không được")


def test_a_close_runner_up_from_another_section_leads_too():
    # "Does it arrive on a Sunday?": the sentence search ranks first says what VietQR is; the one a
    # section away, nearly as close, holds the answer. Both lead, each cited.
    qr = [
        chunk("Tóm tắt", "VietQR là mã chuyển khoản dùng chung giữa các ngân hàng.", 0),
        chunk("VietQR là gì", "Mã này ra mắt năm 2021 cùng mười bốn ngân hàng đầu tiên.", 1),
        chunk("Khi nào tiền đến", "Tiền chuyển theo cách chuyển nhanh nên thường đến ngay, kể cả ngày nghỉ.", 2),
        chunk("Lưu ý", "- Luôn đọc kỹ tên người nhận trước khi xác nhận.", 3),
    ]
    closeness = {"ra mắt": 0.90, "ngày nghỉ": 0.895}
    embed = embed_by_closeness(closeness)

    c = Composer({GUIDE: qr}, embed=embed, today=lambda: dt.date(2026, 11, 30))
    answer = c.answered("chủ nhật quét vietqr thì có tới luôn không", passages(qr, [1, 2, 0]), kind="yesno",
                        vector=np.array([1.0, 0.0], dtype=np.float32))
    lead = answer.text.split("\n\n")[0]
    assert "Mã này ra mắt" in lead and "kể cả ngày nghỉ" in lead


@pytest.mark.parametrize(("section", "lang", "label"), [
    ("Các bước đổi số tại công an xã", "vi", "Các bước đổi số tại công an xã:"),
    ("Cách nộp phạt nguội", "vi", "Cách nộp phạt nguội:"),
    ("Tóm tắt", "vi", "Các bước:"),
    ("Lệ phí và các bước", "vi", "Các bước:"),  # the heading must say what the steps are for from its start
    ("Các bước đổi số tại công an xã", "en", "Steps:"),
])
def test_steps_are_labelled_with_their_sections_own_heading_when_it_names_them(section, lang, label):
    from assistant.answer import Labels, steps_label

    assert steps_label(section, Labels.for_language(lang)) == label
