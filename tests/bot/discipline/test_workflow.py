"""The discipline case's state machine: findings before decisions, nothing after 结案."""

from __future__ import annotations

import pytest

from bot.discipline.workflow import DISCIPLINE_TRANSITIONS, DisciplineAction, DisciplineError, next_state
from models.discipline import DisciplineState

S, A = DisciplineState, DisciplineAction


def test_a_case_goes_from_referred_through_findings_and_decisions_to_closed() -> None:
    state = next_state(S.REFERRED, A.RECORD_FINDINGS)
    assert state is S.INVESTIGATING
    assert next_state(state, A.RECORD_FINDINGS) is S.INVESTIGATING  # findings revised
    assert next_state(state, A.HOLD_ACCOUNTABLE) is S.INVESTIGATING
    assert next_state(state, A.CLOSE) is S.CLOSED


@pytest.mark.parametrize("action", [A.HOLD_ACCOUNTABLE, A.CLOSE])
def test_nothing_is_decided_or_closed_before_the_findings(action: DisciplineAction) -> None:
    with pytest.raises(DisciplineError, match="请先记录调查结论"):
        next_state(S.REFERRED, action)


@pytest.mark.parametrize("action", list(DisciplineAction))
def test_a_closed_case_changes_no_more(action: DisciplineAction) -> None:
    with pytest.raises(DisciplineError, match="已结案"):
        next_state(S.CLOSED, action)


def test_every_transition_is_listed_once_and_closed_is_terminal() -> None:
    assert all(state is not S.CLOSED for state, _ in DISCIPLINE_TRANSITIONS)
    assert set(DISCIPLINE_TRANSITIONS.values()) == {S.INVESTIGATING, S.CLOSED}
