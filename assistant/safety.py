"""What the assistant refuses, what it warns about, and what never reaches a log.

Patterns run on the folded question so that typing without diacritics changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.textnorm import fold

# The asker's own children, parents and household: a procedure often asks for their numbers
# (người phụ thuộc, tuyển sinh), so their data is not "someone else's"; "cửa hàng" folds to "cua hang".
_FAMILY = r"(con(?! (no|do)\b)|chau|bo|me|cha|bo me|cha me|nguoi nha|nguoi phu thuoc|thanh vien|gia dinh|hang(?! xom))\b"

_INJECTION = [
    r"\b(bo qua|phot lo|quen di|dung tuan theo|khong tuan theo|vo hieu)\b.{0,40}\b(chi dan|huong dan|chi thi|quy tac|lenh|vai tro|gioi han)\b",
    r"\bignore\b.{0,30}\b(instructions?|rules|prompts?|guidelines)\b",
    r"\b(system prompt|developer mode|jailbreak|dan mode|prompt he thong|loi nhac he thong)\b",
    r"\b(tiet lo|in ra|hien thi|cho xem)\b.{0,30}\b(prompt|chi dan he thong|cau lenh he thong|cau hinh)\b",
    r"\b(you are now|pretend to be|act as|tu gio ban la|hay dong vai|dong vai la)\b",
    r"\b(reveal|show|print|tell me|repeat|dump)\b.{0,30}\b(instructions|system prompt|configuration|your prompt|hidden)\b",
]
_OTHERS_DATA = [
    r"\b(tra cuu|tim|cho (toi|minh|em|tui|t)|lay|xem|cung cap|dua)\b.{0,30}"
    r"\b(so cccd|so can cuoc|(?<!ho )so dinh danh|so dien thoai|sdt|dia chi|thong tin ca nhan|ngay sinh|so tai khoan|stk|mat khau)\b"
    r".{0,30}\bcua (?!toi\b|minh\b|em\b|tui\b|chinh|" + _FAMILY + r")(ong|ba|anh|chi|co|chu|bac|nguoi|hang xom|vo|chong|ban|ai|[a-z]+ [a-z]+)\b",
    # "of my neighbour" asks for someone else's data; "of my VNeID account" is the asker's own
    r"\b(phone number|home address|id number|password|bank account)\b.{0,20}\bof\b "
    r"(?!(mine|myself|my own|(my|our) (vneid|account|bank|card|sim|phone|e ?wallet|app|level)s?)\b)",
    r"\b(dia chi|so dien thoai|sdt|so cccd|so can cuoc|(?<!ho )so dinh danh|ngay sinh|so tai khoan|stk)\b( nha| rieng)?"
    r" cua (ong|ba|anh|chi|co|chu|bac|nguoi|hang xom)\b(?! (toi|minh|tui|nha)\b).{0,40}\b(o dau|la gi|la bao nhieu|bao nhieu|the nao)\b",
]
_COLLECT_SECRETS = [
    r"\b(gui|doc|dua|nhan|giu|luu|nho|cam)\b.{0,20}\b(otp|mat khau|passcode|ma pin|mk)\b.{0,25}\b(cho|giup|ho)\b.{0,5}\b(ban(?! (ay|be|than|cung))|tro ly|em|may(?! ban)|bot)\b",
    r"\b(ban|tro ly|bot)\b.{0,20}\b(nhan|giu|luu|nhap)\b.{0,20}\b(otp|mat khau|passcode|ma pin)\b",
    r"\b(dang nhap|kich hoat|chuyen tien|chuyen khoan)\b.{0,10}\b(ho|giup) (toi|minh|em|tui)\b.{0,40}\b(otp|mat khau|passcode|mk)\b",
    r"\b(otp|mat khau|passcode|mk)\b.{0,40}\b(dang nhap|kich hoat|chuyen tien|chuyen khoan)\b.{0,10}\b(ho|giup) (toi|minh|em|tui)\b",
    r"\b(otp|mat khau|passcode|ma pin|mk|password)\b.{0,40}\b(la|:|is)\b.{0,60}\b(ho|giup|dum|for me)\b",
    r"\b(here is|this is) my (otp|password|passcode|pin)\b",
    r"\b(log ?in|sign ?in|transfer)\b.{0,20}\bfor me\b",
]

# Harmful intent in the words residents actually use (folded text). Each family pairs an action
# with what makes it harmful: someone else's account or data taken without them knowing, a paper
# or account bought or forged, a check fooled, a scam written, money hidden. Benign look-alikes
# ("có người cố vào VNeID của tôi", "làm sao nhận biết giấy tờ giả") lack the harmful half.
_PERSON = (r"(vo|chong|ba xa|ong xa|nguoi yeu|ban gai|ban trai|vo cu|chong cu|nguoi cu|hang xom|nha ben canh|sep|"
           r"dong nghiep|con no|nguoi thue|chu nha|co giao|thay giao|ca si|doi tuong|nguoi khac|nguoi ta|ai do|"
           r"anh ay|chi ay|co ay|ong ay|ba ay|em ay|ban cung lop|con dau|con re|thang re|chi dau|anh re|"
           r"em re|bo vo|me vo|ong anh|anh ho|nan nhan|wife|husband|girlfriend|boyfriend|ex|neighbou?r|boss|"
           r"someone|somebody|another person|other people|brother-in-law|sister-in-law|victim)")
_COVERT = (r"(ma|without) .{0,25}(\b(khong|ko|k|chang|chua|knowing|knowledge|consent|noticing)\b.{0,10}\b(biet|hay biet|"
           r"phat hien|nghi|dong y|cho phep|co mat|quet mat|can (mat khau|otp))|\b(khong|ko|k|chang|chua) (he |ai )?hay\b)|\blen (coi|xem|doc|mo|vao|cai)\b|"
           r"\bxem trom\b|\bdoc trom\b|\bbi mat\b.{0,20}\b(xem|doc|theo doi)|khong de (no|ho|co|anh|chi|ong|ba|ai)\b.{0,10}biet|"
           r"without (them|him|her|anyone) (knowing|noticing)|without (his|her|their) (consent|knowledge|permission)")
# What makes a message, call or page a scam: it pretends to be someone, or it gets money or codes.
_DECEIT = (r"\b(gia danh|gia mao|mao danh|gia (ngan hang|cong an|nha mang|co quan|nhan vien|can bo|shipper|buu ta|dien luc|cong ty)|"
           r"xung (la|danh|can bo|nhan vien|cong an|ngan hang|dien luc|ben|cuc|luat su|shipper|buu ta|cong ty|nha mang)|"
           r"pretending|impersonat\w*|posing as|looks? like|giong het|na na|"
           r"de (nguoi|ho|nan nhan) .{0,20}(chuyen|nop|bam|doc|tin)|chuyen tien|nop tien|ma xac thuc|chen duong link|"
           r"capture|thu thong tin|hua hoa hong|nap tien truoc|chiu nap)\b")
_HARM: list[tuple[str, str]] = [
    # someone else's account, messages or location
    ("account", r"\b(vao duoc|vao xem|vao doc|dang nhap|mo duoc|mo|xem|coi|doc|truy cap|lay|chiem|theo doi|dinh vi|log ?in|"
                r"get into|access|read|spy|track|see)\b.{0,40}\b(vneid|zalo|facebook|fb|tin nhan|messages?|app (ngan hang|nh|dinh danh)|"
                r"tai khoan|account|dien thoai|vi tri|location|dinh danh)\b.{0,30}\b(cua|of)\b ?(" + _PERSON + r")\b"),
    ("account", r"\b(" + _PERSON + r")\b.{0,80}(" + _COVERT + r")"),
    ("account", r"(" + _COVERT + r").{0,80}\b(" + _PERSON + r")\b"),
    ("account", r"\b(doc|xem|coi|read|see)\b.{0,20}\b(het |moi |tat ca |all )?(tin nhan|messages?)\b.{0,20}\b(zalo|facebook|messenger|cua|of)\b"),
    # a parent or grandparent kept unaware ("mở thẻ đứng tên má sao cho bả hổng hay"): the clause ends
    # there. Followed by more words it is something else: "không biết dùng" (what they cannot do),
    # "cho mẹ không biết có cần…" (I wonder whether), "không hay là…" (or not).
    ("account", r"\b(ma|de|cho|sao cho|without)\s+(ong|ba|bo|me|ma|cha|ba ngoai|ong ngoai|ba noi|ong noi|chu|co|di|cau|bac|"
                r"my (mother|father|mom|dad|grandmother|grandfather|parents?))\s+(he |cung )?(khong|ko|hong|chang|k)\s+(he |duoc )?"
                r"(biet|hay biet|phat hien|nghi|hay|knowing|noticing)\s*($|[?,.!]|(gi|het|hong|nha|nhe|dau|chuyen|viec)\b)"),
    ("account", r"\b(hack|be khoa|xam nhap|chiem|break into)\b.{0,40}\b(tai khoan|vneid|facebook|zalo|ngan hang|account|phone)\b"
                r"(?!.{0,15}\b(cua )?(toi|minh|tui|em|t|my|mine)\b)"),
    # other people's personal data
    ("data", r"\b(tra|tim|do|moi|lan|lan ra|biet|xem|coi|check|find|see|look up)\b.{0,40}\b((?<!ho )so (cccd|can cuoc|dinh danh|cmnd|tai khoan|nha|dien thoai)|"
             r"ma dinh danh|dia chi|nha (o|chi ta|anh ta|no)|song o dau|o dau|stk|tai khoan ngan hang|bank account|"
             r"ly lich tu phap|tien an|tien su|ngoi tu|criminal record|cu tru|tam tru|thuong tru|lives|address|"
             r"bao nhieu tien|how much money)\b.{0,60}\b(cua|of)\b ?(?!(toi|minh|tui|em|chinh minh|my|mine|me)\b|" + _FAMILY + r")"
             r"(" + _PERSON + r"|mot nguoi|nguoi do|doi tuong|[a-z]+ [a-z]+)\b"),
    ("data", r"\b(" + _PERSON + r"|mot nguoi|mot doi tuong|con no)\b.{0,60}\b((?<!ho )so (cccd|can cuoc|dinh danh|cmnd)|ma dinh danh|"
             r"dang (o|song) o dau|song o dau|nha o dau|o cho nao|ly lich tu phap|tien an|ngoi tu|criminal record|where (she|he|they) lives?)\b"),
    ("data", r"\b(xuat|tai|lay|ban)\b.{0,20}\b(het )?du lieu (cu tru|dan cu|ca nhan)\b"),
    # forging or buying papers and accounts
    ("forgery", r"\b(lam|mua|ban(?! (sao|phim|chinh|goc))|che|in|khac|order|dat|tu in|chinh|sua|ghep|photoshop|edit|buy|make|forge|fake)\b.{0,40}"
                r"\b(bang|giay|so do|so hong|can cuoc|cccd|cmnd|bill|bien lai|xac nhan|hoa don|ho chieu|phoi|con dau|"
                r"diploma|certificate|licen[cs]e|id card|passport|stamp|file anh|file pdf|anh chup)\b.{0,40}"
                r"\b((?<!voi )(?<!bao )(?<!muc )gia(?! (han|bao nhieu|ca|re|tien))|dom|phoi|khong can thi|khoi (thi|kham|hoc)|ma khong (can|phai) (thi|hoc|kham|di)|tra (tren he thong|duoc)|"
                r"van ra|thanh ten (toi|minh)|doi (sang|thanh)|cho giong|cho qua|stamp text|pass (employer|verification))\b"),
    ("forgery", r"\b(lam gia|gia mao (giay|chu ky|con dau|ho so|van bang|bang|so do|hoa don|bien lai|xac nhan|the)|lam dom|khac dau|phoi (that|chuan)|khong can thi co|ao ma|tam tru ao|dang ky ao)\b"),
    ("forgery", r"\b(mua|ban(?! (sao|phim|chinh|goc))|thue(?! (tncn|thu nhap|gtgt|vat|khoan))|cho thue|buy|sell|rent)\b.{0,30}\b(tai khoan ngan hang|tk ngan hang|tk nh|stk|tai khoan (vneid|dinh danh)|"
                r"vneid muc 2|sim (rac|da kich hoat|khong chinh chu)|bank accounts?|pre-activated|bang (lai|dai hoc|dh|a1|b2))\b"),
    ("forgery", r"\bchinh chu\b.{0,30}\b(so luong|ib|bao gia|gia)\b|\b(nhieu|hang loat|vai chuc) (sim|tai khoan)\b.{0,40}\b(nguoi khac|khong chinh chu)"),
    # fooling identity checks
    ("bypass", r"\b(qua|vuot|lach|bo qua|tat|danh lua|lua|fool|bypass|pass|trick|gia lap)\b.{0,50}\b(sinh trac|khuon mat|quet mat|"
               r"xac thuc|ekyc|liveness|face (check|id|verification)|otp)\b.{0,60}\b(anh|video|deepfake|ghep|camera ao|mod|"
               r"root|apk|nguoi khac|someone|printed|photo|cua (vo|chong|bo|me|ong|ba|anh|chi)|ma (ong|ba|bo|me) khong)\b"),
    ("bypass", r"\b(anh|video|deepfake|ghep mat|camera ao|printed photo|photo of someone)\b.{0,60}\b(qua|vuot|lua|danh lua|fool|pass)\b.{0,40}"
               r"\b(sinh trac|khuon mat|quet mat|xac thuc|ekyc|liveness|face)\b"),
    ("bypass", r"\b(lam lai|cap lai|bao mat|swap)\b.{0,20}\bsim\b.{0,60}\b(nguoi khac|cua (anh|chi|em|vo|chong|bo|me)|someone|"
               r"khong can .{0,20}co mat|tin nhan ngan hang|bank texts?)\b"),
    ("bypass", r"\bsim swap\b"),
    # writing scams
    ("scam", r"\b(viet|soan|tao|lam(?! sao| the nao| gi)|dung|write|draft|create|clone|build|set up)\b.{0,60}"
             r"\b(kich ban|kb|tin nhan|sms|bai dang|bai (quang cao|tuyen|viet)|loi thoai|loi goi|"
             r"hoi thoai|trang (web|dang nhap)|web|mau|script|message|text|e-?mail|login page|page|ten mien|job (offer|ad|post))\b"
             r".{0,100}" + _DECEIT),
    # a script asked for by its name alone: "kịch bản gọi điện xưng điện lực…"
    ("scam", r"^(kich ban|kb|script)\b.{0,100}" + _DECEIT),
    ("scam", r"\b(thuyet phuc|du|noi (sao|the nao|gi)|convince|persuade|what should i say)\b.{0,80}\b(chuyen tien|rut (tien|ra)|"
             r"dua (tien|minh)|transfer|send (me )?(her|his|their)? ?(money|savings)|doc ma)\b"),
    ("scam", r"\b(lay|xin|get)\b.{0,20}\b(ma xac thuc|otp|ma otp)\b.{0,20}\b(cua nan nhan|cua nguoi khac|of (the )?victims?)\b"),
    ("bypass", r"\b(get|lay|nhan|chuyen|forward|doc|xem|receive)\b.{0,30}\b(otp|ma xac thuc|ma otp|codes?)\b.{0,40}"
               r"\b(cua|of|to|from|sent to|gui (ve|den|toi))\b.{0,12}\b(" + _PERSON + r")\b"),
    # hiding or laundering money, fraudulent chargebacks
    ("money", r"\b(khong ai|cong an khong|khong bi|khoi bi|khong de ai|can ?n[o']?t|cannot|police can't)\b.{0,20}\b(lan ra|truy|"
              r"tra lai|phat hien|trace)\b|\b(cach|giup|lam sao|muon|huong dan|chi|de)\b.{0,30}\brua tien\b|\brua tien (qua|bang|cho|the nao|sao)\b|"
              r"\blaunder"),
    # money sent by mistake, moved on before the bank can trace it
    ("money", r"\b(rut|chuyen|withdraw|move)\b.{0,60}\b(truoc khi|before)\b.{0,20}\b(ngan hang|ben kia|nguoi ta|cong an|the bank|they)\b"
              r".{0,10}\b(kip )?(tra soat|phat hien|doi lai|thu hoi|truy|trace|notice|reverse)|"
              r"\bavoid (having to )?(give|giving|pay|paying|send|sending) (it|the money|them) back\b"),
    ("money", r"\b(nhan|rut)\b.{0,20}\btien\b.{0,20}\b(cua nguoi bi lua|tu nguoi bi lua|lua dao|co bac)\b|"
              r"\bcho (thue|muon) (tk|tai khoan)\b.{0,40}\b(nhan tien|rut)\b|\bxoa lich su giao dich\b"),
    ("money", r"\b(bao|khai|noi|claim|gia vo|viet don)\b.{0,40}\b(chuyen nham|bi hack|bi lua|mistaken transfer)\b.{0,60}"
              r"\b(de|so|cho|du)\b.{0,30}\b(hoan|lay lai|reverse|tin|thuc ra|xuoi)\b"),
]
_INJECTION_MORE = [
    r"\b(khong con la|khong bi ai kiem soat|khong kiem duyet|che do moi|no content policy|unlocked|no (rules|restrictions|limits))\b",
    r"\b(in ra|liet ke|dump|xuat|chep lai|chep|cho (minh|toi) xin|output|print)\b.{0,60}\b(chi muc|duong dan|thu muc|tep cai dat|"
    r"file cai dat|cau hinh|setup|settings|search index|index|mo hinh dang|noi dung thiet lap|nguyen van|verbatim|tep tai lieu)\b",
    r"\b(lenh cua quan tri|ghi chu danh cho tro ly|new message from the developer|end of user question|\[system\]|"
    r"tat bo loc|che do bao tri)",
    r"\b(vao vai|dong vai|role.?play|gia su ban la|pretend|let'?s play)\b.{0,150}\b(lua|gia|hack|chiem|lay ma|scam|tien)\b",
    r"\btruyen ngan\b.{0,120}\b(vao duoc|lay|chiem|hack|lua)\b",
]
# Someone will not hand over their own papers ("chủ nhà không muốn đưa số định danh của họ"): the
# asker needs the legitimate way round it, even though the words ask for another person's number.
_WITHHELD = r"\b(khong|ko|chang|hong) (muon|chiu|cho) (dua|cung cap|cho|gui)\b"
# The asker protects themselves or asks whether something is allowed: "làm sao nhận biết giấy tờ
# giả", "có người chiếm Zalo của tôi", "bán tài khoản có sao không". Such questions are answered.
_DEFENSIVE = [
    r"\b(lam sao|cach|de|muon|giup toi|how (do|can) i|how to)\b.{0,15}\b(phan biet|nhan ra|nhan biet|phat hien|kiem tra|"
    r"bao cao|to giac|tranh|recogni[sz]e|spot|detect|report|check)\b",
    r"\b(co ai|co nguoi|ai do|ke gian|nguoi la|hacker|someone)\b.{0,30}\b(hack|xam nhap|chiem|dang nhap|lay|dung|loi dung|"
    r"mao danh|gia mao|lam gia|signed in|got into)\b",
    r"\b(bi|da bi|was|got)\b.{0,20}\b(hack(ed)?|xam nhap|chiem|lua|mao danh|gia mao|lo)\b",
    r"\b(co sao (khong|ko|k|hong)|co bi (sao|phat|gi)|co phai .{0,60}\b(khong|ko|k|hong)|co that khong|that hay gia|"
    r"co nen|should i|is it (safe|legal|ok|illegal|against the law))\b",
    # asking whether something is right or lawful: the asker is checking, not doing
    r"\bco (dung|duoc( phep)?|hop phap|hop le|vi pham( phap luat| luat)?|pham (phap )?luat|trai (phap )?luat|bi phat|bi lien luy)"
    r"( gi| j)? (khong|ko|k|hong)\b",
    r"\b(phat hien|thay|gap)\b (mot |1 )?(trang|web|giay|the|tai khoan|tin nhan)\b",
    r"\b(xung la|tu xung|gia danh|goi (dien )?(cho toi|bao toi))\b|\bxung (danh|can bo|cong an|nhan vien|ngan hang|ben)\b",
    # checking whether a paper is genuine or fearing a fake; asking about a fine; wrongdoers who might
    # take one's account; checking an account before paying
    # ("so", "nghi" alone are also sổ and nghỉ: "sổ đỏ giả", "giấy nghỉ ốm giả" are requests)
    r"\b(that gia|thiet gia|that hay gia|gia hay that)\b|\b(toi|minh|tui|em|ma|nen) (so|lo|nghi ngo|nghi la)\b.{0,25}\b(gia|lam gia|gia mao)\b|"
    r"\bnghi (la|ngo)\b.{0,25}\b(giay to )?(gia|lam gia|gia mao)\b",
    r"\bbi phat (bao nhieu|the nao|gi|may)\b|\b(ke xau|bon xau|ke trom)\b",
    r"\b(tinnhiemmang|ntrust|chongluadao|truoc khi (chuyen|tra|nop|dat coc))\b",
    # someone will not hand over their own papers: the asker needs the legitimate way round it
    _WITHHELD,
]

_HARM_REASONS = {
    "account": "tôi không giúp vào tài khoản, tin nhắn hay điện thoại của người khác khi họ không biết",
    "data": "tôi không tra cứu hay cung cấp thông tin cá nhân của người khác",
    "forgery": "tôi không giúp làm giả, mua bán giấy tờ hay tài khoản",
    "bypass": "tôi không giúp vượt qua bước xác thực khuôn mặt, mã OTP hay SIM của người khác",
    "scam": "tôi không soạn nội dung hay cách nói để lừa người khác",
    "money": "tôi không giúp giấu, chuyển hay đòi lại tiền một cách gian dối",
}

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\d)(\+?84|0)(?:[\s.-]?\d){8,10}(?!\d)")
_ID_NUMBER = re.compile(r"(?<!\d)(\d{12}|\d{9})(?!\d)")
_SECRET_AFTER = re.compile(
    r"((?:otp|passcode|pin|mat khau|mật khẩu|mk|password)\s*(?:của tôi|cua toi|my)?\s*(?:là|la|is|:|=)\s*)(\S+)",
    re.IGNORECASE,
)
_SECRET_CODE = re.compile(r"((?:otp|passcode|pin|mã|ma)\s*)(\d{4,8})(?!\d)", re.IGNORECASE)
_CODE = re.compile(r"(?<!\d)\d{4,8}(?!\d)")
_LONG_CODE = re.compile(r"(?<!\d)\d{5,8}(?!\d)")


@dataclass
class Verdict:
    refused: bool = False
    reason: str = ""
    sensitive: list[str] = field(default_factory=list)  # kinds of personal data seen in the question
    # A harm family matched: words a benign question can share, so the refusal waits for the harm
    # model to doubt the question too (assistant.pipeline). Injection, secrets handed to the
    # assistant and someone else's data refuse on the pattern alone.
    seconded: bool = False


def _any(patterns: list[str], text: str) -> bool:
    return any(re.search(p, text) for p in patterns)


# The kinds of personal data sensitive_kinds names, as an English warning says them.
SENSITIVE_EN = {"email": "an e-mail address", "số điện thoại": "a phone number", "số định danh": "an ID number",
                "mã OTP/mật khẩu": "an OTP or password"}


def sensitive_kinds(text: str) -> list[str]:
    """The kinds of personal data in `text`, named in Vietnamese (SENSITIVE_EN has them in English)."""
    kinds = []
    if _EMAIL.search(text):
        kinds.append("email")
    if _PHONE.search(text):
        kinds.append("số điện thoại")
    if _ID_NUMBER.search(_PHONE.sub(" ", text)):
        kinds.append("số định danh")
    folded = fold(text)
    if re.search(r"\b(otp|passcode|ma pin|pin|mat khau|mk|password)\b", folded) and _CODE.search(
        _ID_NUMBER.sub(" ", _PHONE.sub(" ", text))
    ):
        kinds.append("mã OTP/mật khẩu")
    elif re.search(r"\b(mat khau|mk|password)\b\s*(cua toi\s*)?(la|is|:)\s*\S+", folded):
        kinds.append("mã OTP/mật khẩu")
    return kinds


def check(question: str) -> Verdict:
    folded = fold(question)
    if _any(_INJECTION + _INJECTION_MORE, folded):
        return Verdict(True, "tôi chỉ trả lời theo các hướng dẫn đã được kiểm tra và không đổi cách làm việc theo yêu cầu")
    if _any(_COLLECT_SECRETS, folded):
        return Verdict(True, "tôi không nhận, không giữ và không dùng mã OTP, mật khẩu hay passcode của bất kỳ ai")
    if _any(_OTHERS_DATA, folded) and not re.search(_WITHHELD, folded):
        return Verdict(True, "tôi không tra cứu hay cung cấp thông tin cá nhân của người khác")
    defensive = _any(_DEFENSIVE, folded)
    for family, pattern in _HARM:
        # Writing scams and fooling checks are named by their verbs; the rest may be a victim's question.
        if (not defensive or family in ("scam", "bypass")) and re.search(pattern, folded):
            return Verdict(True, _HARM_REASONS[family], seconded=True)
    return Verdict(sensitive=sensitive_kinds(question))


def redact(text: str) -> str:
    """Mask e-mails, phone numbers, ID numbers, OTPs and passwords before anything is stored."""
    text = _EMAIL.sub("[email]", text)
    text = _PHONE.sub("[số điện thoại]", text)
    text = _ID_NUMBER.sub("[số định danh]", text)
    text = _SECRET_AFTER.sub(lambda m: m.group(1) + "[bí mật]", text)
    text = _SECRET_CODE.sub(lambda m: m.group(1) + "[mã]", text)
    return _LONG_CODE.sub("[mã]", text)
