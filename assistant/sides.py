"""Two-sided situations: which side the asker is on, and which side a section of a guide speaks to.

A guide on a mistaken transfer speaks to the one who sent the money and to the one who got it.
Its sections share nearly every word ("chuyển nhầm", "không trả", "người khác"), so neither
closeness nor word overlap tells them apart, and "I sent it and they won't pay it back" was
answered with the receiver's duty to return it. The roles can tell them apart: the asker says
which side they are on, a section's heading says whom it speaks to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.textnorm import fold


@dataclass(frozen=True)
class Side:
    situation: str
    name: str
    asker: re.Pattern[str]  # over the folded question: the asker is on this side
    section: re.Pattern[str]  # over the folded heading: the section speaks to this side


_ME = r"(toi|minh|em|me|bo|ong|ba|chau|tui|tao)"
SIDES = (
    Side("transfer", "sent", re.compile(
        rf"(^(lo )?chuyen (tien |khoan )?nham|\b(lo|da|bi|vua|{_ME}) chuyen (tien |khoan )?(nham|sai|lon)|chuyen (tien |khoan )?(nham|sai|lon) (tien )?(cho|sang|qua) |"
        r"chuyen (tien |khoan )?(nham|sai) (so )?(tai khoan|tk|stk)|(sent|transferred) (the )?(money )?to the wrong|"
        r"wrong (bank )?account)\b"),
        re.compile(r"\b(lo chuyen|chuyen (tien |khoan )?nham tai khoan)\b")),
    Side("transfer", "received", re.compile(
        rf"\b(nhan (duoc )?(tien )?(nham|la)|tien la|(tu nhien|bong dung) co tien|"
        rf"chuyen (tien |khoan )?nham (tien )?(vao|den|toi) (tai khoan|tk|stk) (cua )?{_ME}|"
        r"(nguoi|ai|ai do|co nguoi|nguoi la|nguoi khac|ho) chuyen nham|"
        r"(into|to) my account by mistake|received money|money (appeared|arrived) in my)\b"),
        re.compile(r"\b(tien la|nhan (tien )?nham)\b")),
)


def asker_sides(question: str) -> list[Side]:
    """The sides the asker says they are on: one per situation, none where they name both or neither."""
    folded = fold(question)
    named = [s for s in SIDES if s.asker.search(folded)]
    return [s for s in named if sum(o.situation == s.situation for o in named) == 1]


def speaks_to_other_side(heading: str, sides: list[Side], title: str = "") -> bool:
    """Is this section written for the other side of a situation the asker is in?

    A guide whose title names one side only ("Tiền lạ vào tài khoản…", the receiver's scam guide)
    speaks to that side in every section, "Dấu hiệu nhận biết" included; a guide naming both sides
    in its title ("Lỡ chuyển nhầm … hoặc nhận tiền lạ …") is read section by section."""
    folded, named = fold(heading), fold(title)

    def other(o: Side, s: Side) -> bool:
        return o.situation == s.situation and o.name != s.name

    def only_for(o: Side, s: Side) -> bool:
        return bool(o.section.search(named)) and not s.section.search(named)

    return any(other(o, s) and (o.section.search(folded) or only_for(o, s)) for s in sides for o in SIDES)
