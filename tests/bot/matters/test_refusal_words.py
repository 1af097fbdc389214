"""The refusal's words: labelled (理由：… 建议：…) or one natural sentence, and what is asked for
when a part is missing (pure, no database)."""

from __future__ import annotations

import pytest

from bot.errors import UserError
from bot.matters.refusal_words import RefusalPart, RefusalWords, split_refusal


@pytest.mark.parametrize(
    "text",
    [
        "理由：用地未批复\n建议：批复后优先办理",
        "理由：用地未批复 建议：批复后优先办理",
        "理由:用地未批复 建议:批复后优先办理",
        "不能办的理由：用地未批复\n说“行”建议：批复后优先办理",
        "原因：用地未批复\n\n办理建议：批复后优先办理",
        "建议：批复后优先办理\n理由：用地未批复",
        "用地未批复；建议：批复后优先办理",
    ],
)
def test_labels_keep_working(text: str) -> None:
    assert split_refusal(text) == RefusalWords("用地未批复", "批复后优先办理")


def test_a_principals_natural_sentence_is_split_at_the_suggestion() -> None:
    words = split_refusal("因法律政策不允许，暂不能增加该经营范围；建议先办理专用停车场地备案后重新申请")
    assert words == RefusalWords("因法律政策不允许，暂不能增加该经营范围", "先办理专用停车场地备案后重新申请")
    assert words.missing() == ()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("用地未批复，说行建议：批复后优先办理", RefusalWords("用地未批复", "批复后优先办理")),
        ("用地未批复，说“行”建议批复后优先办理", RefusalWords("用地未批复", "批复后优先办理")),
        ("用地尚未批复。可以在批复后优先办理", RefusalWords("用地尚未批复", "可以在批复后优先办理")),
        ("按规定暂不可以办理", RefusalWords("按规定暂不可以办理", "")),
        ("建议补齐材料后再来", RefusalWords("", "补齐材料后再来")),
    ],
)
def test_sentences_with_or_without_a_suggestion_word(text: str, words: RefusalWords) -> None:
    assert split_refusal(text) == words


def test_a_missing_part_is_asked_for_alone_in_plain_words() -> None:
    only_reason = split_refusal("因法律政策不允许，暂不能增加该经营范围")
    assert only_reason.missing() == (RefusalPart.WAY_FORWARD,)
    assert only_reason.question() == "请再告诉我说“行”建议：怎样才能办成？"
    only_way = split_refusal("建议：先办理备案")
    assert only_way.question() == "请再告诉我不能办的理由：为什么确实办不成？"
    assert "理由和说“行”建议" in split_refusal("").question()


def test_the_answer_to_that_question_completes_the_words() -> None:
    earlier = split_refusal("因法律政策不允许，暂不能增加该经营范围")
    answer = split_refusal("先办理专用停车场地备案后重新申请", RefusalPart.WAY_FORWARD)
    assert answer.joined(earlier) == RefusalWords(
        "因法律政策不允许，暂不能增加该经营范围", "先办理专用停车场地备案后重新申请"
    )


def test_a_label_given_twice_is_refused() -> None:
    with pytest.raises(UserError, match="填写了两次"):
        split_refusal("理由：a\n理由：b\n建议：c")
