"""The words of a refusal: 理由 (why it truly cannot be done) and 说“行”建议 (how it could be), typed
with labels (``理由：… 建议：…``) or as one natural sentence (“因……暂不能办；建议……”).

A natural sentence is split where the suggestion starts: 说“行”建议 / 建议 (the word itself is
dropped) or 可以 (kept: “可以先……”). A part that is missing is asked for alone, in plain words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.errors import UserError

_REASON_LABELS = ("不能办的理由", "不能办理由", "理由", "原因")
_LABEL = re.compile(r"(不能办的?理由|理由|原因|说[“\"]?行[”\"]?建议|办理建议|建议)\s*[:：]")
# Where a suggestion starts in a sentence; “不可以” / “可以不” are part of a reason, not a way forward.
_SUGGESTION = re.compile(r"说[“\"]?行[”\"]?建议|建议|(?<!不)可以(?!不)")
_EDGES = " \t\r\n，,；;。.：:、"


class RefusalPart(StrEnum):
    REASON = "reason"
    WAY_FORWARD = "way_forward"


ASK_FOR: dict[RefusalPart, str] = {
    RefusalPart.REASON: "请再告诉我不能办的理由：为什么确实办不成？",
    RefusalPart.WAY_FORWARD: "请再告诉我说“行”建议：怎样才能办成？",
}
ASK_FOR_BOTH = (
    "请告诉我不能办的理由和说“行”建议（怎样才能办成），一句话即可，"
    "如：因法律政策不允许，暂不能办理；建议先办理备案后重新申请。"
)


@dataclass(frozen=True, slots=True)
class RefusalWords:
    reason: str = ""
    way_forward: str = ""

    def missing(self) -> tuple[RefusalPart, ...]:
        parts = ((RefusalPart.REASON, self.reason), (RefusalPart.WAY_FORWARD, self.way_forward))
        return tuple(part for part, value in parts if not value)

    def joined(self, earlier: RefusalWords) -> RefusalWords:
        """These words completing ``earlier`` ones (a part given now replaces nothing given before)."""
        return RefusalWords(self.reason or earlier.reason, self.way_forward or earlier.way_forward)

    def question(self) -> str:
        """What to ask for when a part is missing."""
        missing = self.missing()
        return ASK_FOR[missing[0]] if len(missing) == 1 else ASK_FOR_BOTH


def _clean(text: str) -> str:
    return text.strip(_EDGES)


def split_refusal(text: str, waiting_for: RefusalPart | None = None) -> RefusalWords:
    """The reason and the way forward in ``text``. ``waiting_for``: the one part still missing,
    which a plain sentence with neither labels nor a suggestion word then is."""
    text = text.strip().replace("\u3000", " ")
    if _LABEL.search(text):
        return _labelled(text)
    match = _SUGGESTION.search(text)
    if match is None:
        if waiting_for is RefusalPart.WAY_FORWARD:
            return RefusalWords(way_forward=_clean(text))
        return RefusalWords(reason=_clean(text))
    keep_word = match.group(0) == "可以"
    way = text[match.start() :] if keep_word else text[match.end() :]
    return RefusalWords(reason=_clean(text[: match.start()]), way_forward=_clean(way))


def names_its_parts(text: str) -> bool:
    """Whether ``text`` says which part it is (a label, or a suggestion word in a sentence)."""
    return bool(_LABEL.search(text) or _SUGGESTION.search(text))


def _labelled(text: str) -> RefusalWords:
    pieces = _LABEL.split(text)
    values: dict[RefusalPart, str] = {}
    prefix = _clean(pieces[0])
    for label, value in zip(pieces[1::2], pieces[2::2], strict=True):
        part = RefusalPart.REASON if label in _REASON_LABELS else RefusalPart.WAY_FORWARD
        if part in values:
            raise UserError(f"“{label}”填写了两次，请只保留一处。")
        values[part] = _clean(value)
    reason = values.get(RefusalPart.REASON, "")
    if prefix:  # words before the first label: the reason, when it has no label of its own
        reason = f"{prefix}；{reason}" if reason else prefix
    return RefusalWords(reason, values.get(RefusalPart.WAY_FORWARD, ""))


__all__ = ["ASK_FOR", "RefusalPart", "RefusalWords", "names_its_parts", "split_refusal"]
