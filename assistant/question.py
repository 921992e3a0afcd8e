"""The question as everything downstream sees it, made once at the entrance of the pipeline.

A resident's text is cleaned, redacted (phone, ID, e-mail, codes), folded and tagged with
its language, the kind of answer it asks for and whether it describes a likely scam. Search,
the composer, a generative backend and the log all receive this value, never the raw text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.query import expand
from assistant.safety import redact, sensitive_kinds
from assistant.textnorm import clean, detect_language, fold, has_diacritics

# What a question asks for, checked in this order on folded text (first match wins).
# "howto" comes before "whatif": "nếu quên mật khẩu thì làm sao" wants the steps.
KINDS: list[tuple[str, re.Pattern[str]]] = [
    ("contact", re.compile(
        r"\b(tong dai|hotline|so dien thoai|sdt|so dt|duong day nong|phone number)\b.{0,40}"
        r"\b(so may|so nao|la gi|la so gi|la bao nhieu|bao nhieu|nao|what|which)\b|"
        r"\b(goi (so|tong dai) nao|goi so may|what number)\b"
    )),
    ("time", re.compile(
        r"\b(bao lau|mat may ngay|may ngay|bao nhieu ngay|may thang|bao nhieu thang|may nam|khi nao|bao gio|"
        r"luc nao|thoi han|han chot|het han|tu ngay nao|den ngay nao|trong bao lau|ngay nao|how long|when|deadline|"
        r"how many days|valid for)\b"
    )),
    ("amount", re.compile(
        r"\b(bao nhieu tien|mat bao nhieu|ton bao nhieu|het bao nhieu|muc phi|(le )?phi (la|bao|het|mat|ton|gi)|"
        r"(co|phai) mat (tien|phi)|mat phi|(?<!bi )mat tien (khong|ko|k|kg|hong|hok|ho|hon)|ton (tien|phi)|(?<!bo )(?<!nguoi )(?<!vien )thu phi|tinh phi|co mien phi|free|how much|costs?|charge|^(do|does|will) (i|we|you|he|she|they) (have|need) to pay|"
        r"han muc|muc phat|phat bao nhieu|bi phat (bao nhieu|may)|bao nhieu (trieu|nghin|dong|phan tram)|"
        r"gioi han|limit|(phi|tien|gia)\b.{0,40}\bbao nhieu|bao nhieu\b.{0,30}\b(phi|tien))\b"
    )),
    ("count", re.compile(
        r"\b(may|bao nhieu|how many) (nguoi|chu so|con so|so|cach|buoc|loai|ung dung|app|muc|lan|tai khoan|the|kenh|"
        r"giay to|thanh vien|ky tu|tuoi|chu|ways?|steps?|digits?|people|apps?|levels?)\b"
    )),
    ("place", re.compile(
        r"\b(o dau|cho nao|noi nao|den dau|tai dau|nop o|lam o|tai o|where|which office|web nao|trang nao)\b"
    )),
    ("who", re.compile(
        r"(^|[^a-z])(ai (duoc|phai|co the|lam|chiu|giup|ho tro|la|can|se)|hoi ai|goi ai|bao ai|bao cho ai|nho ai|"
        r"nguoi nao|who|whom|co quan nao)\b"
    )),
    ("howto", re.compile(
        r"\b(lam (sao|the nao|gi|nhu the nao|ntn)|cach|the nao|cac buoc|buoc nao|nhung buoc|bang cach nao|ntn|"
        r"huong dan|thu tuc|how (do|can|to|should)|steps?|what should i do|phai lam)\b"
    )),
    ("whatif", re.compile(
        r"\b(thi sao|roi sao|co sao khong|co bi (phat|khoa|mat|sao)|se bi|(?<!chuan )bi gi|chuyen gi|what happens|what if|"
        r"happen if|neu .{2,60} thi)\b"
    )),
    ("whichcase", re.compile(
        r"\b(truong hop nao|thuoc (truong hop|loai|muc|dien) nao|(loai|muc|cach|ben|kenh) nao|nen chon|"
        r"khac nhau|hay la|which|(muc|loai|cach|ben) \w+ hay( (muc|loai|cach|ben))? \w+)\b"
    )),
    ("yesno", re.compile(
        r"(\b(co|duoc|phai|can|nen|bat buoc|bi|dung|that) .{0,80}\b(khong|ko|k|kg|chang|chua|hong)\s*[?.!]*\s*$|"
        r"\b(co phai|co duoc|co can|co bat buoc|duoc khong|phai khong|dung khong|co that|co nen)\b|"
        r"^(can|is|are|do|does|should|must|will) )"
    )),
]

# A question none of KINDS names still says what it wants with a bare interrogative word: "ai" is
# who, "bao nhiêu" an amount, "tháng nào" a time, "đâu" a place, "A hay B", "gì", "nào" a choice
# between things the guide names, and a trailing "không nhỉ", "nữa hả" or an English auxiliary
# after a statement a yes/no. Tried in this order, only after KINDS, so they never override it.
FALLBACK_KINDS: list[tuple[str, re.Pattern[str]]] = [
    ("yesno", re.compile(
        r"\b(khong|ko|k|kg|chang|chua|hong)( (nhi|ta|vay|a|ha|nhe|ban|chu|day))?\s*[?.!]*\s*$|"
        r"\b(nua|a|ha|sao|luon) (ha|a|u)\s*[?.!]*\s*$|\b(ha|a)\s*\?\s*$|"
        r"[.?!]\s*(can|is|are|do|does|should|must|will) (i|he|she|we|they|it|my|the)\b"
    )),
    ("who", re.compile(r"\bai\b|\b(don vi|nha mang|co quan|can bo|cong ty|to chuc|ben) nao\b")),
    ("amount", re.compile(r"\b(bao nhieu|toi da|it nhat|how many|what share)\b")),
    ("time", re.compile(r"\b((thang|nam|ngay|tuan|gio|thoi gian|thoi diem) (nao|may)|tu khi nao|tu bao gio)\b")),
    ("place", re.compile(r"\b(di|gui|ve|qua|xem|tim|hoi|lay|nhin vao|bao) (tu )?dau\b|\b(website|trang web|ten mien) .{0,30}\bla gi\b")),
    ("whichcase", re.compile(r"\b\w+ hay (la )?\w+|\b(gi|nao|may)\b|\b(what|which)\b")),
]

# A call, message or link (the channel) that asks for money, a code, data or an install (the ask):
# the situation of a scam, answered from the safety guides first whatever else it mentions.
_SCAM_CHANNEL = re.compile(
    r"\b(goi dien|goi cho|goi den|goi toi|cuoc goi|nghe may|tin nhan|nhan tin|nhan duoc tin|sms|zalo|facebook|"
    r"messenger|email|thu dien tu|link|duong link|duong dan|(trang web|website) (la|gia|mao|dom|nhai)|xung la|tu xung|gia danh|mao danh|"
    r"nguoi la|so la|ket ban|nhan vien|shipper|buu ta|nguoi quen|video call|goi video|call(ed|s)?|message|text(ed)?|"
    r"caller|e-?mail|sent me|nick|nguoi goi|goi bao|goi video|xung|ke gian|gui (link|duong link)|nhom tren mang|"
    r"quang cao|claiming|claims|stranger|delivery man|page)\b|"
    # someone unnamed telling the asker what to do: "tụi nó kêu chuyển", "họ bảo phải cài"
    r"\b(tui no|chung no|bon no|ho|nguoi ta|ben kia|ben do|they) (keu|bao|bat|doi|yeu cau|dan|told|asked)\b"
)
_SCAM_ASK = re.compile(
    r"\b(chuyen tien|chuyen khoan|chuyen gap|nop tien|dong tien|dong phi|tra phi|phi (ship|van chuyen|giao hang|thu tuc|"
    r"bao lanh|ho so)|nap tien|tam giu|muon tien|vay tien|dat coc|(doc|gui|dua|cung cap|nhap|dien|cho|xin|hoi|doi) "
    r"(ma|otp|mat khau|passcode|thong tin|so tai khoan|anh can cuoc|anh cccd|so the)|ma otp|ma xac thuc|ma xac nhan|"
    r"cai (dat|app|ung dung)|tai (app|ung dung)|bam (vao )?(link|duong link)|nhan qua|trung thuong|qua tang|"
    r"dong bo|cap nhat (thong tin|vneid|tai khoan|dinh danh)|cat dien|bi (tam )?khoa|khoa tai khoan|kem (theo )?(duong )?(link|duong dan)|qua (duong )?link|ma pin|ba so (o )?(mat )?sau|cvv|lien quan (den )?(vu|duong day)|"
    r"send (money|the code)|transfer|install|otp|password|prize|won|fee|refund|deposit|"
    r"(bat|keu|doi|yeu cau|bao|dan) .{0,25}(chuyen|doc|cai|nop|dong|quay mat|quet|bam|dang ky lai|lam lai)|"
    r"nap (them|tien)|muon (gap|tien)|lam lai dinh danh|xac thuc khuon mat|chia se man hinh|dieu khien|"
    r"move my savings|holding account|forward it|turn my face|recover my money|verify|"
    r"(xin|doi|hoi|muon) (lai )?(cai )?(ma|otp|code)|gui nham (ma|otp))\b"
)


@dataclass(frozen=True)
class Question:
    raw: str  # as typed: echoed back to the person who asked, given to nothing else
    text: str  # cleaned and redacted; what search, composer, backends and logs receive
    lang: str
    sensitive: list[str] = field(default_factory=list)  # kinds of personal data seen (and redacted)

    @property
    def folded(self) -> str:
        return fold(self.text)

    @property
    def kind(self) -> str:
        return question_kind(self.text)

    @property
    def scam_situation(self) -> bool:
        return is_scam_situation(self.text)


def read_question(raw: object, max_chars: int = 2000) -> Question:
    """The one entrance: clean, cut to length, note and redact personal data, detect the language."""
    text = clean(str(raw) if raw is not None else "")[:max_chars]
    return Question(raw=text, text=redact(text), lang=detect_language(text), sensitive=sensitive_kinds(text))


# "tối đa" (at most) asks for an amount; folded it reads like "tôi đã" (I have), so it is looked for
# with its marks, and without them only in a question typed without any.
_AT_MOST = re.compile(r"\btối (đa|thiểu)\b")
_AT_MOST_BARE = re.compile(r"\btoi (da|thieu)\b")


# Any sign that a text asks something particular: a question mark, an interrogative word, or a fact
# named without a question word ("phí đổi căn cước", "thời hạn tạm trú"). Folded text; English
# auxiliaries only first, since folded "do", "can" are Vietnamese words too.
_ASKS = re.compile(
    r"\?|\b(gi|sao|nao|ai|dau|may|bao|khong|ko|chua|phai|hay|nen|co duoc|duoc khong|la sao|nghia la|"
    r"phi|le phi|thoi han|dia chi|so dien thoai|hotline|tong dai|"
    r"what|why|how|which|who|where|when)\b|^(is|are|do|does|can|should) "
)


def names_a_task_only(text: str) -> bool:
    """A topic typed without any question word, as residents often do ("chuyen khoan bang ma qr",
    "dang ky tam tru online"): they want to know how to do it."""
    folded = fold(expand(text)).strip()
    return bool(folded) and not _ASKS.search(folded)


# "chưa (gặp) bao giờ", "không bao giờ" say "never": a statement, not a question about a time.
_NEVER = re.compile(r"\b(chua|khong|chang)( \w+)? bao gio\b")


def question_kind(text: str) -> str:
    """amount | count | time | place | who | howto | whatif | whichcase | yesno | other."""
    expanded = expand(text)
    folded = _NEVER.sub(" ", fold(expanded)).strip()
    at_most = _AT_MOST.search(expanded.lower()) or (not has_diacritics(expanded) and _AT_MOST_BARE.search(folded))
    for kind, pattern in [*KINDS, *FALLBACK_KINDS]:
        if kind == "amount" and at_most:
            return kind
        if pattern.search(folded):
            return kind
    return "other"


def scam_signs(text: str) -> tuple[bool, bool]:
    """The two halves of a scam situation: a call, message or link named, and an ask for money, codes or an install."""
    folded = fold(expand(text))
    return bool(_SCAM_CHANNEL.search(folded)), bool(_SCAM_ASK.search(folded))


def is_scam_situation(text: str) -> bool:
    return all(scam_signs(text))
