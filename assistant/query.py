"""Query understanding: expand abbreviations and chat spellings, and give an English question the
Vietnamese words of its subject for the word index (cleaning is done at the entrance, assistant.question).

The table maps folded forms to accented expansions so both the lexical and the dense pass
see the words the guides use. Keys are whole lower-cased tokens; multi-token values are fine.
"""

from __future__ import annotations

import re
from functools import lru_cache

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
    "dvcqg": "dịch vụ công quốc gia",
    "hs": "hồ sơ",
    "kq": "kết quả",
    "hkd": "hộ kinh doanh",
    "bhtn": "bảo hiểm thất nghiệp",
    "tctn": "trợ cấp thất nghiệp",
    "tncn": "thu nhập cá nhân",
    "mst": "mã số thuế",
    "hddt": "hóa đơn điện tử",
    "ks": "khai sinh",
    "xh": "xã hội",
    "qg": "quốc gia",
    "tmdt": "thương mại điện tử",
    "cty": "công ty",
    "cskh": "chăm sóc khách hàng",
    "bv": "bệnh viện",
    "dv": "dịch vụ",
    "hn": "Hà Nội",
    "fb": "Facebook",
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
    "bn": "bao nhiêu",
    "lm": "làm",
    "tn": "tin nhắn",
    "trc": "trước",
    # southern and chat forms of everyday words: the guides write the standard word
    "tui": "tôi",
    "dzay": "vậy",
    "dzậy": "vậy",
    "nhen": "nhé",
    "nghen": "nhé",
    "giùm": "giúp",
    "xài": "dùng",
    "mần": "làm",
    "qr": "QR",
    "otp": "OTP",
}

_TOKEN = re.compile(r"\w+", re.UNICODE)


# "Mất bao nhiêu tiền" asks what something costs, but "mất" and "tiền" are the words of every guide on
# losing money to a scam: "làm căn cước mất bao nhiêu tiền" was put on the romance-scam guide. Said
# with "hết", the verb of spending, the same question finds the card guide. Not after "bị" ("bị mất
# bao nhiêu tiền" is a loss), and only before money: "mất mấy ngày" asks how long and is left alone.
_COST = re.compile(
    r"(?<!\bbị )(?<!\bbi )\b(mất|mat)(?= (?:bao nhiêu|bao nhiu|bao nhieu|bn|mấy) (?:tiền|tien|phí|phi|đồng|dong)\b)",
    re.IGNORECASE,
)


def expand(text: str) -> str:
    """Replace known abbreviations (matched on whole lower-cased tokens) by their expansion.

    "đt", "đc", "đk" are typed with or without the stroke; other marks are kept, so "xài" is a chat
    form of "dùng" while a folded key never swallows an accented word ("hồng", "kỳ")."""

    def swap(match: re.Match[str]) -> str:
        word = match.group(0).lower()
        return ABBREVIATIONS.get(word) or ABBREVIATIONS.get(word.replace("đ", "d")) or match.group(0)

    text = _COST.sub(lambda m: "hết" if m.group(1).lower() == "mất" else "het", text)
    return _TOKEN.sub(swap, text)


# English words and phrases → the Vietnamese words the guides use for them. An English question is
# embedded as it is (e5 is multilingual), but the word index, the coverage of a section and the
# answerability features only know the guides' Vietnamese; without this an English question is
# matched by meaning alone and reads as "all words unknown". Domain vocabulary, from the guides'
# titles and sections. Keys are lower case; a trailing "s", "es", "ed", "d" or "ing" is allowed when matching.
ENGLISH_TERMS: dict[str, str] = {
    # identity and VNeID
    "vneid": "VNeID", "electronic identification": "định danh điện tử", "electronic identity": "định danh điện tử",
    "digital identity": "định danh điện tử", "e-id": "định danh điện tử", "identification number": "số định danh",
    "id number": "số định danh", "id card": "thẻ căn cước", "identity card": "thẻ căn cước", "citizen id": "căn cước",
    "chip": "chip", "level 1": "mức 1", "level 2": "mức 2", "account": "tài khoản", "password": "mật khẩu",
    "passcode": "passcode", "otp": "mã OTP", "one-time password": "mã OTP", "verification code": "mã xác thực",
    "forgot": "quên", "forget": "quên", "forgotten": "quên", "lock": "khóa", "locked": "khóa", "unlock": "mở khóa",
    "activate": "kích hoạt", "activation": "kích hoạt", "register": "đăng ký", "registration": "đăng ký",
    "registering": "đăng ký", "sign up": "đăng ký", "log in": "đăng nhập", "login": "đăng nhập", "sign in": "đăng nhập",
    "logged": "đăng nhập", "phone number": "số điện thoại", "phone": "điện thoại", "smartphone": "điện thoại thông minh",
    "new phone": "điện thoại mới", "lost": "mất", "stolen": "mất", "sim": "SIM", "subscriber": "thuê bao",
    "face": "khuôn mặt", "facial": "khuôn mặt", "biometric": "sinh trắc học", "fingerprint": "vân tay", "nfc": "NFC",
    "police": "công an", "ward": "phường", "commune": "xã", "temporary residence": "tạm trú",
    "permanent residence": "thường trú", "residence": "cư trú", "temporary absence": "tạm vắng",
    "guest": "lưu trú", "landlord": "chủ nhà", "tenant": "người thuê", "criminal record": "lý lịch tư pháp",
    "driving licence": "giấy phép lái xe", "driving license": "giấy phép lái xe", "driver's license": "giấy phép lái xe",
    "driver license": "giấy phép lái xe", "health insurance": "bảo hiểm y tế", "social insurance": "bảo hiểm xã hội",
    "vssid": "VssID", "health record": "sổ sức khỏe điện tử", "medical record": "sổ sức khỏe điện tử",
    "document wallet": "ví giấy tờ", "integrate": "tích hợp", "airport": "sân bay", "flight": "máy bay",
    "child": "trẻ em", "children": "trẻ em", "under 14": "dưới 14 tuổi", "elderly": "người cao tuổi",
    "senior": "người cao tuổi", "grandmother": "người cao tuổi", "grandfather": "người cao tuổi",
    # public services and procedures
    "public service portal": "Cổng Dịch vụ công", "public services": "dịch vụ công", "public service": "dịch vụ công",
    "dossier": "hồ sơ", "application": "hồ sơ", "submit": "nộp", "online": "trực tuyến", "result": "kết quả",
    "additional document": "bổ sung", "fee": "phí lệ phí", "pay": "thanh toán", "payment": "thanh toán",
    "receipt": "biên lai", "one-stop": "một cửa", "passport": "hộ chiếu", "marriage": "kết hôn", "marry": "kết hôn",
    "married": "kết hôn", "marital status": "tình trạng hôn nhân", "birth": "khai sinh", "newborn": "khai sinh",
    "death": "khai tử", "died": "khai tử", "funeral": "mai táng", "extract": "trích lục",
    "certified copy": "chứng thực bản sao", "certified copies": "chứng thực bản sao", "traffic fine": "phạt nguội",
    "fines": "phạt", "fined": "phạt", "penalty": "phạt", "vehicle": "xe", "motorbike": "xe máy", "motorcycle": "xe máy",
    "license plate": "biển số", "number plate": "biển số", "unemployment": "trợ cấp thất nghiệp",
    "lump sum": "một lần", "pension": "lương hưu", "allowance": "trợ cấp", "income tax": "thuế thu nhập cá nhân",
    "tax": "thuế", "tax code": "mã số thuế", "refund": "hoàn", "etax": "eTax Mobile",
    "household business": "hộ kinh doanh", "personal": "cá nhân", "enrolment": "tuyển sinh", "enrollment": "tuyển sinh",
    "admission": "tuyển sinh", "tuition": "học phí", "school fee": "học phí", "appointment": "đặt lịch khám",
    "hospital": "khám bệnh", "electricity": "tiền điện", "water bill": "tiền nước", "bill": "hóa đơn",
    # payments
    "bank transfer": "chuyển khoản", "transfer": "chuyển khoản", "send money": "chuyển tiền",
    "wrong account": "chuyển nhầm", "wrong bank account": "chuyển nhầm", "wrong person": "chuyển nhầm",
    "by mistake": "chuyển nhầm", "mistakenly": "nhầm", "transferred": "chuyển khoản", "paid": "thanh toán",
    "qr code": "mã QR", "qr": "mã QR",
    "vietqr": "VietQR", "e-wallet": "ví điện tử", "wallet": "ví điện tử", "momo": "ví điện tử",
    "mobile money": "Mobile Money", "bank account": "tài khoản ngân hàng", "bank": "ngân hàng", "ekyc": "eKYC",
    "limit": "hạn mức", "banking app": "ứng dụng ngân hàng", "bank app": "ứng dụng ngân hàng", "market": "chợ",
    "cashless": "không dùng tiền mặt", "money": "tiền", "sent money": "chuyển tiền", "renew": "cấp đổi",
    "reissue": "cấp lại", "replace": "cấp lại", "recover": "lấy lại", "get back": "lấy lại", "change": "đổi",
    "share": "chia sẻ", "safe": "an toàn", "reset": "lấy lại", "linked": "liên kết", "linking": "liên kết",
    "deposit": "đặt cọc", "cash": "tiền mặt",
    # everyday words of the guides' steps and warnings
    "app": "ứng dụng", "card": "thẻ", "code": "mã", "scan": "quét", "scanned": "quét", "scanning": "quét",
    "update": "cập nhật", "verify": "xác thực", "verification": "xác thực", "confirm": "xác nhận",
    "confirmation": "xác nhận", "information": "thông tin", "electronic": "điện tử", "copy": "bản sao",
    "address": "địa chỉ", "procedure": "thủ tục", "official": "chính thức", "website": "trang web",
    "stranger": "người lạ", "fake": "giả", "photo": "ảnh", "zalo": "Zalo", "facebook": "Facebook",
    "mandatory": "bắt buộc", "compulsory": "bắt buộc", "required": "bắt buộc", "free": "miễn phí",
    "foreigner": "người nước ngoài", "foreign": "người nước ngoài", "street vendor": "bán hàng rong",
    "hotline": "tổng đài", "claiming": "xưng", "campaign": "phong trào", "movement": "phong trào",
    "million": "triệu",
    # scams
    "scam": "lừa đảo", "scammer": "lừa đảo", "scammed": "lừa đảo", "fraud": "lừa đảo", "fraudster": "lừa đảo",
    "pretending": "giả danh", "impersonating": "giả danh", "link": "đường link", "fake website": "trang web giả",
    "caller": "cuộc gọi", "call": "cuộc gọi", "video call": "cuộc gọi video", "message": "tin nhắn",
    "text message": "tin nhắn", "sms": "tin nhắn", "remote control": "điều khiển từ xa",
    "remote access": "điều khiển từ xa", "install": "cài ứng dụng", "loan": "vay tiền", "borrow": "vay tiền",
    "investment": "đầu tư", "crypto": "tiền ảo", "cryptocurrency": "tiền ảo", "forex": "đầu tư",
    "easy job": "việc nhẹ lương cao", "part-time job": "việc nhẹ lương cao", "task": "làm nhiệm vụ",
    "parcel": "đơn hàng", "package": "đơn hàng", "delivery": "giao hàng", "shipper": "shipper", "courier": "bưu tá",
    "relative": "người thân", "deepfake": "giả người thân", "report": "trình báo", "personal data": "thông tin cá nhân",
    "data leak": "lộ thông tin", "leaked": "lộ thông tin", "gift": "nhận quà", "prize": "nhận quà",
    # the movement
    "digital literacy": "Bình dân học vụ số", "digital skills": "kỹ năng số", "digital ambassador": "đại sứ số",
    "community digital": "tổ công nghệ số cộng đồng", "digital market": "chợ số", "hanoi": "Hà Nội",
}
_ENGLISH_TERM = re.compile(
    r"\b(" + "|".join(re.escape(k) for k in sorted(ENGLISH_TERMS, key=len, reverse=True)) + r")(?:s|es|ed|d|ing)?\b"
)


def vietnamese_terms(text: str) -> str:
    """The guides' Vietnamese words for the English terms of `text`, in order ('' when none)."""
    return " ".join(dict.fromkeys(ENGLISH_TERMS[m.group(1)] for m in _ENGLISH_TERM.finditer(text.lower())))


# English words that say nothing about the subject, besides scikit-learn's stop words.
_ENGLISH_FILLER = frozenset("vietnam vietnamese please hi hello thanks thank want need know tell".split())


@lru_cache(maxsize=1)
def _english_stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS  # imported when an English question comes

    return frozenset(ENGLISH_STOP_WORDS) | _ENGLISH_FILLER


def lexical_query(text: str, lang: str) -> str:
    """What the word index is asked: the question itself; for English, the Vietnamese terms of its
    domain words followed by its other meaning words. Those stay English, so the index does not know
    them and an English question about land or visas reads as uncovered, as its Vietnamese twin would."""
    if lang != "en":
        return text
    rest = _ENGLISH_TERM.sub(" ", text.lower())
    others = [w for w in re.findall(r"[a-z][a-z'-]+", rest) if w not in _english_stop_words()]
    return " ".join([vietnamese_terms(text), *others]).strip() or text
