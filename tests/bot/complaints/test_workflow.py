"""The complaint's state machine: every state reachable from registration, the table's dead ends
refused with a Chinese message, and nothing leaves answered / done / merged."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.complaints.workflow import (
    COMPLAINT_TRANSITIONS,
    OPEN_STATES,
    ComplaintAction,
    ComplaintState,
    TransitionError,
    next_state,
)

A, S = ComplaintAction, ComplaintState


def test_the_happy_path_registered_assigned_signed_done() -> None:
    state = S.REGISTERED
    for action in (A.ASSIGN, A.SIGN, A.REQUEST_EXTENSION, A.GRANT_EXTENSION, A.FINISH):
        state = next_state(state, action)
    assert state is S.DONE


def test_out_of_scope_is_answered_and_stays_answered() -> None:
    assert next_state(S.REGISTERED, A.ANSWER) is S.ANSWERED
    with pytest.raises(TransitionError, match="已答疑"):
        next_state(S.ANSWERED, A.ASSIGN)


def test_a_refused_extension_goes_back_to_the_section() -> None:
    assert next_state(S.EXTENSION_REQUESTED, A.REFUSE_EXTENSION) is S.SIGNED


def test_every_state_is_reachable_from_registration() -> None:
    reached, frontier = {S.REGISTERED}, [S.REGISTERED]
    while frontier:
        state = frontier.pop()
        for (source, _), target in COMPLAINT_TRANSITIONS.items():
            if source is state and target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(S)


@given(st.lists(st.sampled_from(list(A)), max_size=12))
def test_any_sequence_either_follows_the_table_or_is_refused(actions: list[ComplaintAction]) -> None:
    state = S.REGISTERED
    for action in actions:
        if (state, action) in COMPLAINT_TRANSITIONS:
            state = next_state(state, action)
        else:
            with pytest.raises(TransitionError, match="不能"):
                next_state(state, action)
    if state not in OPEN_STATES:
        assert all(source is not state for source, _ in COMPLAINT_TRANSITIONS)
