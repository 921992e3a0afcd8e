import pytest

from assistant.restore import Restorer
from assistant.textnorm import clean, detect_language, fold, has_diacritics, lexical_tokens, syllables


def test_fold_removes_marks_and_maps_d_stroke():
    assert fold("Đăng ký tạm trú ở Hà Nội") == "dang ky tam tru o ha noi"


def test_fold_handles_decomposed_input_like_precomposed():
    decomposed = "Căn cước".encode().decode()  # NFC
    import unicodedata

    assert fold(unicodedata.normalize("NFD", decomposed)) == fold(decomposed) == "can cuoc"


def test_clean_strips_control_and_bidi_characters():
    assert clean("quên\u202e mật\x00khẩu \u200b  vneid ") == "quên mật khẩu vneid"


def test_syllables_keep_marks_and_drop_punctuation():
    assert syllables("Mã OTP: 6 số!") == ["mã", "otp", "6", "số"]


def test_unaccented_and_accented_questions_share_folded_tokens():
    accented = set(t for t in lexical_tokens("quên mật khẩu VNeID") if not t.startswith("~"))
    bare = set(t for t in lexical_tokens("quen mat khau vneid") if not t.startswith("~"))
    assert accented == bare
    assert "mat_khau" in bare


def test_accented_view_tells_similar_words_apart():
    assert "~thuê" in lexical_tokens("thuê nhà")
    assert "~thuê" not in lexical_tokens("thuế nhà")


def test_has_diacritics():
    assert has_diacritics("mật khẩu")
    assert not has_diacritics("mat khau")


def test_detect_language_tells_english_from_unaccented_vietnamese():
    assert detect_language("How do I activate my VNeID account?") == "en"
    assert detect_language("lam sao de kich hoat tai khoan vneid") == "vi"
    assert detect_language("Kích hoạt VNeID thế nào?") == "vi"


@pytest.mark.parametrize(
    "question, lang",
    [
        # English words seldom fit a Vietnamese syllable, short function words included
        ("Are bank branches in Vietnam open on Saturdays?", "en"),
        ("Can a Vietnamese citizen hold dual nationality?", "en"),
        ("Where can I exchange for crisp new banknotes before Tết?", "en"),  # marks on one word only
        # Vietnamese without marks, even when its syllables spell English words ("can", "to", "may")
        ("dai su so o can tho moi to may nguoi", "vi"),
        ("dang ky mobile money o dau", "vi"),  # borrowed names are no sign of English
        ("tải app vneid qua link zalo được không", "vi"),
        ("quen mk vneid", "vi"),
        ("ok", "vi"),
    ],
)
def test_detect_language_by_share_of_words_that_are_no_vietnamese_syllable(question, lang):
    assert detect_language(question) == lang


def test_restorer_puts_marks_back_from_corpus_bigrams():
    corpus = [
        "Bạn quên mật khẩu thì chọn Quên mật khẩu.",
        "Làm thế nào để đăng nhập?",
        "Đổi số điện thoại trên VNeID.",
        "Làm thẻ căn cước.",
    ]
    restorer = Restorer.build(corpus)
    assert restorer.restore("quen mat khau vneid") == "quên mật khẩu vneid"
    assert restorer.restore("lam the nao de doi so dien thoai") == "làm thế nào để đổi số điện thoại"


def test_restorer_keeps_what_was_typed_with_marks_and_unknown_words():
    restorer = Restorer.build(["Quên mật khẩu VNeID"])
    assert restorer.restore("Quên mat khau xyz") == "Quên mật khẩu xyz"


def test_restorer_round_trips_through_json():
    restorer = Restorer.build(["Đăng ký tạm trú cho người thuê nhà"])
    again = Restorer.from_json(restorer.to_json())
    assert again.restore("dang ky tam tru") == "đăng ký tạm trú"
