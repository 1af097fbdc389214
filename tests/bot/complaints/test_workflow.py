"""The complaint's state machine: every state reachable from registration, the table's dead ends
refused with a Chinese message, and nothing leaves answered / rated / merged; feedback, 好差评,
发回重办 and 申诉 follow the table."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.complaints.workflow import (
    BAD_RATINGS,
    COMPLAINT_TRANSITIONS,
    HELD_STATES,
    OPEN_STATES,
    ComplaintAction,
    ComplaintState,
    TransitionError,
    check_follow_up,
    next_state,
    rating_action,
)
from models.complaint_feedback import Satisfaction

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


def test_a_good_rating_after_the_feedback_closes_the_case() -> None:
    state = next_state(S.DONE, A.REPORT_BACK)
    assert state is S.REPORTED
    assert next_state(state, rating_action(Satisfaction.BASIC)) is S.RATED
    with pytest.raises(TransitionError, match="已评价"):
        next_state(S.RATED, A.RATE_BAD)


@pytest.mark.parametrize("bad", [Satisfaction.DISSATISFIED, Satisfaction.VERY_DISSATISFIED])
def test_a_bad_rating_sends_the_case_back_until_it_is_reworked(bad: Satisfaction) -> None:
    state = next_state(S.REPORTED, rating_action(bad))
    assert state is S.REOPENED and state in HELD_STATES
    assert next_state(state, A.FINISH) is S.DONE
    assert next_state(S.DONE, A.REPORT_BACK) is S.REPORTED  # a second round of feedback


def test_an_appeal_upheld_closes_the_case_and_one_rejected_goes_back_to_rework() -> None:
    appealed = next_state(S.REOPENED, A.APPEAL)
    assert appealed is S.APPEALED and appealed not in HELD_STATES  # the office holds it
    assert next_state(appealed, A.UPHOLD_APPEAL) is S.RATED
    assert next_state(appealed, A.REJECT_APPEAL) is S.REOPENED
    with pytest.raises(TransitionError, match="不能申诉"):
        next_state(S.DONE, A.APPEAL)


def test_feedback_cannot_come_before_the_section_finished() -> None:
    for state in (S.REGISTERED, S.ASSIGNED, S.SIGNED, S.EXTENSION_REQUESTED, S.ANSWERED, S.MERGED):
        with pytest.raises(TransitionError, match="不能反馈投诉人"):
            next_state(state, A.REPORT_BACK)


def test_one_follow_up_only_after_a_rating() -> None:
    check_follow_up(rated=True, already_followed_up=False)
    with pytest.raises(TransitionError, match="还没有评价"):
        check_follow_up(rated=False, already_followed_up=False)
    with pytest.raises(TransitionError, match="已经追评过"):
        check_follow_up(rated=True, already_followed_up=True)


def test_only_the_last_two_grades_are_bad_ratings() -> None:
    assert {s for s in Satisfaction if rating_action(s) is A.RATE_BAD} == BAD_RATINGS
    assert {Satisfaction.DISSATISFIED, Satisfaction.VERY_DISSATISFIED} == BAD_RATINGS
