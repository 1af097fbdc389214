"""The pure workflow: every (state, action) pair of the transition table, and the step rules
(who may decide, escalation, skipping the submitter's own level, 会商, refusal text)."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

from bot.matters.workflow import (
    LEVEL_ACTIONS,
    MATTER_TRANSITIONS,
    Action,
    Chain,
    Command,
    Level,
    MatterState,
    MatterView,
    Opening,
    StepStatus,
    StepView,
    Verdict,
    apply,
    assign_holders,
    first_opening,
    holders,
    lead_step,
    may_decide,
    next_opening,
)
from models.enums import RefusalCategory

SUBMITTER, HEAD, DEPUTY, PRINCIPAL, CO_DEPUTY, CO_DEPUTY_2, STAND_IN, STRANGER = 1, 2, 3, 4, 5, 6, 7, 9
CHAIN = Chain({Level.SECTION_HEAD: (HEAD,), Level.DEPUTY: (DEPUTY,), Level.PRINCIPAL: (PRINCIPAL,)})
CONSULTING = Chain(
    {Level.SECTION_HEAD: (HEAD,), Level.DEPUTY: (DEPUTY, CO_DEPUTY), Level.PRINCIPAL: (PRINCIPAL,)}
)
APPROVER_AT = {Level.SECTION_HEAD: HEAD, Level.DEPUTY: DEPUTY, Level.PRINCIPAL: PRINCIPAL}
DECIDED_STATES = (MatterState.RESOLVED, MatterState.REFUSED, MatterState.CLOSED)


def pending_at(level: int, status: StepStatus = StepStatus.PENDING, chain: Chain = CHAIN) -> MatterView:
    """A pending matter whose lower levels escalated and whose ``level`` step is open."""
    steps = [
        StepView(id=lv, level=lv, approver_id=APPROVER_AT[Level(lv)], status=StepStatus.DECIDED,
                 decision=Action.ESCALATE, decided_by_id=APPROVER_AT[Level(lv)])
        for lv in range(Level.SECTION_HEAD, level)
    ]  # fmt: skip
    steps.append(StepView(id=level, level=level, approver_id=APPROVER_AT[Level(level)], status=status))
    return MatterView(MatterState.PENDING, level, SUBMITTER, chain, tuple(steps))


def settled(state: MatterState) -> MatterView:
    """A matter past its pending life: decided at level 2 (or withdrawn there)."""
    if state is MatterState.WITHDRAWN:
        step = StepView(id=2, level=2, approver_id=HEAD, status=StepStatus.SUPERSEDED)
    else:
        decision = Action.CONFIRM_NO if state is MatterState.REFUSED else Action.CAN_DO
        step = StepView(id=2, level=2, approver_id=HEAD, status=StepStatus.DECIDED, decision=decision,
                        decided_by_id=HEAD)  # fmt: skip
    return MatterView(state, 2, SUBMITTER, CHAIN, (step,))


def right_command(matter: MatterView, action: Action) -> Command:
    """The command as the right person would give it for ``action`` on ``matter``."""
    if action in (Action.WITHDRAW, Action.RECORD_REPLY):
        return Command(action, SUBMITTER)
    step = matter.steps[-1]
    if action is Action.GIVE_REFUSAL_TEXT:
        return Command(action, step.approver_id, step_id=step.id, text="理由", way_forward="建议")
    if action is Action.CONFIRM_NO:  # the button carries its category, never any words
        return Command(action, step.approver_id, step_id=step.id, refusal_category=RefusalCategory.LAW)
    return Command(action, step.approver_id, step_id=step.id)  # a button carries no words


def matter_for(state: MatterState, action: Action) -> MatterView:
    if state is not MatterState.PENDING:
        return settled(state)
    if action is Action.CONFIRM_NO:
        return pending_at(Level.PRINCIPAL)
    if action is Action.GIVE_REFUSAL_TEXT:
        return pending_at(Level.PRINCIPAL, StepStatus.AWAITING_TEXT)
    return pending_at(Level.SECTION_HEAD)


ALL_PAIRS = list(itertools.product(MatterState, Action))


@pytest.mark.parametrize(("state", "action"), ALL_PAIRS, ids=[f"{s.value}-{a.value}" for s, a in ALL_PAIRS])
def test_table_pair_by_the_right_person(state: MatterState, action: Action) -> None:
    matter = matter_for(state, action)
    outcome = apply(matter, right_command(matter, action))
    expected = MATTER_TRANSITIONS.get((state, action))
    if expected is None:
        # Forbidden pair: nothing changes, and the verdict says why.
        assert outcome.state is state
        assert outcome.step_changes == () and outcome.opening is None and not outcome.decided
        if action in (Action.WITHDRAW, Action.RECORD_REPLY):
            assert outcome.verdict is Verdict.INVALID and outcome.notes
        else:
            assert outcome.verdict is Verdict.ALREADY_HANDLED
        return
    assert outcome.state is expected
    if action is Action.CONFIRM_NO:
        # A tapped 确认不能办 waits for its words: still pending, the step awaits text.
        assert outcome.verdict is Verdict.NEEDS_TEXT
        assert outcome.step_changes[0].status is StepStatus.AWAITING_TEXT
    else:
        assert outcome.verdict is Verdict.APPLIED
    assert outcome.decided == (expected in (MatterState.RESOLVED, MatterState.REFUSED))


@pytest.mark.parametrize(("state", "action"), ALL_PAIRS, ids=[f"{s.value}-{a.value}" for s, a in ALL_PAIRS])
def test_table_pair_by_a_stranger_is_not_allowed(state: MatterState, action: Action) -> None:
    matter = matter_for(state, action)
    command = replace(right_command(matter, action), actor_id=STRANGER)
    outcome = apply(matter, command)
    assert outcome.verdict is Verdict.NOT_ALLOWED
    assert outcome.state is state and outcome.step_changes == () and outcome.notes


def test_table_has_exactly_the_documented_pairs() -> None:
    assert set(MATTER_TRANSITIONS) == {
        (MatterState.PENDING, Action.CAN_DO),
        (MatterState.PENDING, Action.ESCALATE),
        (MatterState.PENDING, Action.CONFIRM_NO),
        (MatterState.PENDING, Action.GIVE_REFUSAL_TEXT),
        (MatterState.PENDING, Action.WITHDRAW),
        (MatterState.RESOLVED, Action.RECORD_REPLY),
        (MatterState.REFUSED, Action.RECORD_REPLY),
    }
    # Nothing leaves a terminal state.
    assert not [pair for pair in MATTER_TRANSITIONS if pair[0] in (MatterState.WITHDRAWN, MatterState.CLOSED)]


def test_buttons_per_level() -> None:
    assert LEVEL_ACTIONS[Level.SECTION_HEAD] == (Action.CAN_DO, Action.ESCALATE)
    assert LEVEL_ACTIONS[Level.DEPUTY] == (Action.CAN_DO, Action.ESCALATE)
    assert LEVEL_ACTIONS[Level.PRINCIPAL] == (Action.CAN_DO, Action.CONFIRM_NO)


@pytest.mark.parametrize("level", [Level.SECTION_HEAD, Level.DEPUTY, Level.PRINCIPAL])
def test_can_do_at_any_level_resolves(level: Level) -> None:
    matter = pending_at(level)
    outcome = apply(matter, right_command(matter, Action.CAN_DO))
    assert outcome.verdict is Verdict.APPLIED and outcome.state is MatterState.RESOLVED and outcome.decided
    assert outcome.level == level and outcome.opening is None
    assert outcome.step_changes[0].decision is Action.CAN_DO


@pytest.mark.parametrize(
    ("level", "to"), [(Level.SECTION_HEAD, Level.DEPUTY), (Level.DEPUTY, Level.PRINCIPAL)]
)
def test_escalate_opens_the_next_level(level: Level, to: Level) -> None:
    matter = pending_at(level)
    outcome = apply(matter, right_command(matter, Action.ESCALATE))
    assert outcome.verdict is Verdict.APPLIED and outcome.state is MatterState.PENDING
    assert outcome.opening == Opening(to, (APPROVER_AT[to],)) and outcome.level == to
    assert not outcome.decided


def test_escalate_at_level_4_is_invalid() -> None:
    matter = pending_at(Level.PRINCIPAL)
    outcome = apply(matter, right_command(matter, Action.ESCALATE))
    assert outcome.verdict is Verdict.INVALID and outcome.state is MatterState.PENDING
    assert "最后一级" in outcome.notes[0] and outcome.step_changes == ()


@pytest.mark.parametrize("level", [Level.SECTION_HEAD, Level.DEPUTY])
def test_confirm_no_below_level_4_is_invalid(level: Level) -> None:
    matter = pending_at(level)
    outcome = apply(matter, right_command(matter, Action.CONFIRM_NO))
    assert outcome.verdict is Verdict.INVALID and outcome.step_changes == ()
    assert "只有主要领导" in outcome.notes[0]


def test_confirm_no_waits_for_reason_and_way_forward() -> None:
    matter = pending_at(Level.PRINCIPAL)
    tap = Command(Action.CONFIRM_NO, PRINCIPAL, step_id=Level.PRINCIPAL, refusal_category=RefusalCategory.LAW)
    outcome = apply(matter, tap)
    assert outcome.verdict is Verdict.NEEDS_TEXT and outcome.state is MatterState.PENDING
    assert outcome.step is not None and outcome.step.status is StepStatus.AWAITING_TEXT

    waiting = pending_at(Level.PRINCIPAL, StepStatus.AWAITING_TEXT)
    # Tapping again changes nothing: still waiting for the words.
    again = apply(waiting, tap)
    assert again.verdict is Verdict.NEEDS_TEXT and again.step_changes == ()
    for text, way_forward in (("", ""), ("材料不全", ""), ("", "补齐后可办"), ("  ", "补齐后可办")):
        partial = Command(Action.GIVE_REFUSAL_TEXT, PRINCIPAL, step_id=4, text=text, way_forward=way_forward)
        result = apply(waiting, partial)
        assert result.verdict is Verdict.NEEDS_TEXT and result.state is MatterState.PENDING
        assert result.step_changes == ()
    full = Command(Action.GIVE_REFUSAL_TEXT, PRINCIPAL, step_id=4, text="材料不全", way_forward="补齐后可办")
    done = apply(waiting, full)
    assert done.verdict is Verdict.APPLIED and done.state is MatterState.REFUSED and done.decided
    assert done.step_changes[0].decision is Action.CONFIRM_NO


def test_refusal_text_without_a_waiting_step_is_invalid() -> None:
    matter = pending_at(Level.PRINCIPAL)
    command = Command(Action.GIVE_REFUSAL_TEXT, PRINCIPAL, step_id=4, text="理由", way_forward="建议")
    outcome = apply(matter, command)
    assert outcome.verdict is Verdict.INVALID and outcome.step_changes == ()


def test_principal_may_change_a_pending_refusal_to_can_do() -> None:
    waiting = pending_at(Level.PRINCIPAL, StepStatus.AWAITING_TEXT)
    outcome = apply(waiting, Command(Action.CAN_DO, PRINCIPAL, step_id=4))
    assert outcome.verdict is Verdict.APPLIED and outcome.state is MatterState.RESOLVED


def test_a_decided_step_is_already_handled_even_for_its_approver() -> None:
    matter = pending_at(Level.DEPUTY)  # level 2 decided (escalated), level 3 open
    outcome = apply(matter, Command(Action.CAN_DO, HEAD, step_id=Level.SECTION_HEAD))
    assert outcome.verdict is Verdict.ALREADY_HANDLED and outcome.step_changes == ()
    assert outcome.state is MatterState.PENDING and outcome.level == Level.DEPUTY


def test_unknown_step_is_invalid() -> None:
    matter = pending_at(Level.SECTION_HEAD)
    outcome = apply(matter, Command(Action.CAN_DO, HEAD, step_id=999))
    assert outcome.verdict is Verdict.INVALID


def test_someone_elses_step_is_not_allowed_even_for_a_higher_leader() -> None:
    matter = pending_at(Level.SECTION_HEAD)
    for actor in (DEPUTY, PRINCIPAL, SUBMITTER, STRANGER):
        outcome = apply(matter, Command(Action.CAN_DO, actor, step_id=Level.SECTION_HEAD))
        assert outcome.verdict is Verdict.NOT_ALLOWED, actor


# --- skipping the submitter's own level ----------------------------------------------------------


def test_first_opening_is_the_section_head() -> None:
    assert first_opening(CHAIN, SUBMITTER) == Opening(Level.SECTION_HEAD, (HEAD,))


def test_a_section_head_submitting_goes_straight_to_the_deputy() -> None:
    assert first_opening(CHAIN, HEAD) == Opening(Level.DEPUTY, (DEPUTY,))


def test_skip_every_level_held_by_the_submitter_but_never_the_principal() -> None:
    both = Chain({Level.SECTION_HEAD: (HEAD,), Level.DEPUTY: (HEAD,), Level.PRINCIPAL: (PRINCIPAL,)})
    assert first_opening(both, HEAD) == Opening(Level.PRINCIPAL, (PRINCIPAL,))
    own = Chain({Level.SECTION_HEAD: (PRINCIPAL,), Level.DEPUTY: (PRINCIPAL,), Level.PRINCIPAL: (PRINCIPAL,)})
    assert first_opening(own, PRINCIPAL) == Opening(Level.PRINCIPAL, (PRINCIPAL,))


def test_a_consulted_deputy_who_submitted_is_left_out_of_level_3() -> None:
    assert next_opening(CONSULTING, Level.SECTION_HEAD, CO_DEPUTY) == Opening(Level.DEPUTY, (DEPUTY,))


def test_escalation_from_a_head_submitted_matter_skips_nothing_above() -> None:
    matter = MatterView(
        MatterState.PENDING, Level.DEPUTY, HEAD, CHAIN, (StepView(id=3, level=3, approver_id=DEPUTY),)
    )
    outcome = apply(matter, Command(Action.ESCALATE, DEPUTY, step_id=3))
    assert outcome.opening == Opening(Level.PRINCIPAL, (PRINCIPAL,))


def test_chain_without_principal_is_an_error() -> None:
    with pytest.raises(ValueError, match="principal"):
        first_opening(Chain({Level.SECTION_HEAD: (HEAD,)}), HEAD)


# --- 会商 (consultation at level 3) ----------------------------------------------------------------


def consultation(deputies: tuple[int, ...]) -> MatterView:
    chain = Chain({Level.SECTION_HEAD: (HEAD,), Level.DEPUTY: deputies, Level.PRINCIPAL: (PRINCIPAL,)})
    head = StepView(id=2, level=2, approver_id=HEAD, status=StepStatus.DECIDED, decision=Action.ESCALATE,
                    decided_by_id=HEAD)  # fmt: skip
    level3 = tuple(StepView(id=30 + i, level=3, approver_id=d, lead=i == 0) for i, d in enumerate(deputies))
    return MatterView(MatterState.PENDING, Level.DEPUTY, SUBMITTER, chain, (head, *level3))


def run_answers(matter: MatterView, answers: list[tuple[int, Action]]) -> MatterView:
    """Apply each deputy's answer in order, folding the outcome back into the view."""
    for actor, action in answers:
        step = next(s for s in matter.steps if s.approver_id == actor and s.level == Level.DEPUTY)
        outcome = apply(matter, Command(action, actor, step_id=step.id))
        assert outcome.verdict is Verdict.APPLIED, (actor, action, outcome)
        changes = {c.step_id: c for c in outcome.step_changes}
        steps = tuple(
            replace(s, status=changes[s.id].status, decision=changes[s.id].decision, decided_by_id=actor)
            if s.id in changes else s
            for s in matter.steps
        )  # fmt: skip
        if outcome.opening is not None:
            steps += tuple(
                StepView(id=40 + i, level=outcome.opening.level, approver_id=a)
                for i, a in enumerate(outcome.opening.approver_ids)
            )
        matter = replace(matter, state=outcome.state, level=outcome.level, steps=steps)
    return matter


DEPUTY_SETS = [(DEPUTY, CO_DEPUTY), (DEPUTY, CO_DEPUTY, CO_DEPUTY_2)]
CONSULTATION_CASES = [
    (deputies, order, tuple(actions))
    for deputies in DEPUTY_SETS
    for actions in itertools.product((Action.CAN_DO, Action.ESCALATE), repeat=len(deputies))
    for order in itertools.permutations(range(len(deputies)))
]


@pytest.mark.parametrize(("deputies", "order", "actions"), CONSULTATION_CASES)
def test_consultation_needs_every_deputy(
    deputies: tuple[int, ...], order: tuple[int, ...], actions: tuple[Action, ...]
) -> None:
    matter = consultation(deputies)
    answers = [(deputies[i], actions[i]) for i in order]
    # Every answer but the last keeps the matter pending at level 3.
    for k in range(1, len(answers)):
        partial = run_answers(matter, answers[:k])
        assert partial.state is MatterState.PENDING and partial.level == Level.DEPUTY
    final = run_answers(matter, answers)
    if Action.ESCALATE in actions:
        assert final.state is MatterState.PENDING and final.level == Level.PRINCIPAL
        assert [s.approver_id for s in final.steps if s.level == Level.PRINCIPAL] == [PRINCIPAL]
    else:
        assert final.state is MatterState.RESOLVED and final.level == Level.DEPUTY


def test_consultation_answer_reports_waiting_for_others() -> None:
    matter = consultation((DEPUTY, CO_DEPUTY))
    outcome = apply(matter, Command(Action.ESCALATE, CO_DEPUTY, step_id=31))
    assert outcome.waiting_for_others and outcome.opening is None and not outcome.decided
    # The same deputy cannot answer twice.
    after = run_answers(matter, [(CO_DEPUTY, Action.ESCALATE)])
    again = apply(after, Command(Action.CAN_DO, CO_DEPUTY, step_id=31))
    assert again.verdict is Verdict.ALREADY_HANDLED


def test_consulted_deputies_cannot_answer_for_each_other() -> None:
    matter = consultation((DEPUTY, CO_DEPUTY))
    outcome = apply(matter, Command(Action.CAN_DO, DEPUTY, step_id=31))
    assert outcome.verdict is Verdict.NOT_ALLOWED


def test_lead_step_is_the_lead_departments() -> None:
    matter = consultation((DEPUTY, CO_DEPUTY))
    lead = lead_step(matter.steps, Level.DEPUTY)
    assert lead is not None and lead.approver_id == DEPUTY
    assert lead_step(matter.steps, Level.PRINCIPAL) is None


# --- withdraw and reply ----------------------------------------------------------------------------


@pytest.mark.parametrize("level", [Level.SECTION_HEAD, Level.DEPUTY, Level.PRINCIPAL])
def test_withdraw_by_submitter_while_pending_supersedes_open_steps(level: Level) -> None:
    matter = pending_at(level)
    outcome = apply(matter, Command(Action.WITHDRAW, SUBMITTER))
    assert outcome.verdict is Verdict.APPLIED and outcome.state is MatterState.WITHDRAWN
    assert [(c.step_id, c.status) for c in outcome.step_changes] == [(level, StepStatus.SUPERSEDED)]


def test_withdraw_while_waiting_for_refusal_text_supersedes_that_step() -> None:
    matter = pending_at(Level.PRINCIPAL, StepStatus.AWAITING_TEXT)
    outcome = apply(matter, Command(Action.WITHDRAW, SUBMITTER))
    assert outcome.state is MatterState.WITHDRAWN
    assert outcome.step_changes[0].status is StepStatus.SUPERSEDED


@pytest.mark.parametrize("actor", [HEAD, DEPUTY, PRINCIPAL, STRANGER])
def test_withdraw_only_by_submitter(actor: int) -> None:
    outcome = apply(pending_at(Level.DEPUTY), Command(Action.WITHDRAW, actor))
    assert outcome.verdict is Verdict.NOT_ALLOWED and "提交人" in outcome.notes[0]


@pytest.mark.parametrize(
    "state", [MatterState.RESOLVED, MatterState.REFUSED, MatterState.WITHDRAWN, MatterState.CLOSED]
)
def test_withdraw_only_while_pending(state: MatterState) -> None:
    outcome = apply(settled(state), Command(Action.WITHDRAW, SUBMITTER))
    assert (
        outcome.verdict is Verdict.INVALID
        and "撤回" in outcome.notes[0]
        and "事项已撤回，不能撤回" not in outcome.notes[0]
    )


@pytest.mark.parametrize("state", [MatterState.RESOLVED, MatterState.REFUSED])
def test_reply_by_submitter_after_decision_closes(state: MatterState) -> None:
    outcome = apply(settled(state), Command(Action.RECORD_REPLY, SUBMITTER))
    assert outcome.verdict is Verdict.APPLIED and outcome.state is MatterState.CLOSED


@pytest.mark.parametrize("state", [MatterState.RESOLVED, MatterState.REFUSED])
@pytest.mark.parametrize("actor", [HEAD, PRINCIPAL, STRANGER])
def test_reply_only_by_submitter(state: MatterState, actor: int) -> None:
    outcome = apply(settled(state), Command(Action.RECORD_REPLY, actor))
    assert outcome.verdict is Verdict.NOT_ALLOWED


def test_reply_before_decision_says_wait() -> None:
    outcome = apply(pending_at(Level.SECTION_HEAD), Command(Action.RECORD_REPLY, SUBMITTER))
    assert outcome.verdict is Verdict.INVALID and "仍在审批中" in outcome.notes[0]


@pytest.mark.parametrize("state", [MatterState.WITHDRAWN, MatterState.CLOSED])
def test_no_reply_after_terminal(state: MatterState) -> None:
    outcome = apply(settled(state), Command(Action.RECORD_REPLY, SUBMITTER))
    assert outcome.verdict is Verdict.INVALID and "不能再登记回复" in outcome.notes[0]


# --- who may decide (代理) --------------------------------------------------------------------------


def test_may_decide_the_holder_now_or_the_leader() -> None:
    own = StepView(id=1, level=3, approver_id=DEPUTY)
    alone = MatterView(MatterState.PENDING, 3, SUBMITTER, CHAIN, (own,))
    assert may_decide(own, alone, DEPUTY)
    assert not may_decide(own, alone, STAND_IN)
    # The stand-in acting for the deputy today may decide the deputy's own step.
    away = replace(alone, stand_ins={DEPUTY: STAND_IN})
    assert may_decide(own, away, STAND_IN) and may_decide(own, away, DEPUTY)
    assert not may_decide(own, away, STRANGER)


def test_a_stand_in_whose_range_ended_no_longer_holds_the_step() -> None:
    delegated = StepView(id=1, level=3, approver_id=STAND_IN, on_behalf_of_id=DEPUTY)
    during = MatterView(MatterState.PENDING, 3, SUBMITTER, CHAIN, (delegated,), {DEPUTY: STAND_IN})
    assert holders(during) == {1: STAND_IN} and may_decide(delegated, during, STAND_IN)
    after = replace(during, stand_ins={})
    assert holders(after) == {1: DEPUTY}
    assert not may_decide(delegated, after, STAND_IN) and may_decide(delegated, after, DEPUTY)


def test_stand_in_decides_through_apply() -> None:
    steps = (StepView(id=3, level=3, approver_id=STAND_IN, on_behalf_of_id=DEPUTY),)
    matter = MatterView(MatterState.PENDING, 3, SUBMITTER, CHAIN, steps, {DEPUTY: STAND_IN})
    for actor in (STAND_IN, DEPUTY):
        outcome = apply(matter, Command(Action.ESCALATE, actor, step_id=3))
        assert outcome.verdict is Verdict.APPLIED and outcome.level == Level.PRINCIPAL


# --- nobody decides their own matter; nobody holds two steps ---------------------------------------


def test_a_head_whose_stand_in_submits_is_skipped() -> None:
    assert first_opening(CHAIN, SUBMITTER, {HEAD: SUBMITTER}) == Opening(Level.DEPUTY, (DEPUTY,))
    assert first_opening(CHAIN, SUBMITTER, {HEAD: STAND_IN}) == Opening(Level.SECTION_HEAD, (HEAD,))


def test_the_submitter_never_decides_even_as_the_active_stand_in() -> None:
    delegated = StepView(id=2, level=2, approver_id=SUBMITTER, on_behalf_of_id=HEAD)
    matter = MatterView(MatterState.PENDING, 2, SUBMITTER, CHAIN, (delegated,), {HEAD: SUBMITTER})
    assert holders(matter) == {2: HEAD}
    outcome = apply(matter, Command(Action.CAN_DO, SUBMITTER, step_id=2))
    assert outcome.verdict is Verdict.NOT_ALLOWED
    assert apply(matter, Command(Action.CAN_DO, HEAD, step_id=2)).verdict is Verdict.APPLIED


def test_a_consulted_deputy_standing_in_for_the_other_keeps_only_his_own_step() -> None:
    assert assign_holders((DEPUTY, CO_DEPUTY), SUBMITTER, {DEPUTY: CO_DEPUTY}) == (DEPUTY, CO_DEPUTY)
    steps = (
        StepView(id=3, level=3, approver_id=DEPUTY),
        StepView(id=4, level=3, approver_id=CO_DEPUTY, lead=False),
    )
    matter = MatterView(MatterState.PENDING, 3, SUBMITTER, CONSULTING, steps, {DEPUTY: CO_DEPUTY})
    assert holders(matter) == {3: DEPUTY, 4: CO_DEPUTY}
    assert apply(matter, Command(Action.CAN_DO, CO_DEPUTY, step_id=3)).verdict is Verdict.NOT_ALLOWED


def test_one_stand_in_for_two_consulted_deputies_holds_one_step() -> None:
    held = assign_holders((DEPUTY, CO_DEPUTY), SUBMITTER, {DEPUTY: STAND_IN, CO_DEPUTY: STAND_IN})
    assert held == (STAND_IN, CO_DEPUTY)


def test_confirm_no_without_a_category_is_refused() -> None:
    matter = pending_at(Level.PRINCIPAL)
    outcome = apply(matter, Command(Action.CONFIRM_NO, PRINCIPAL, step_id=Level.PRINCIPAL))
    assert outcome.verdict is Verdict.INVALID and "选择原因" in outcome.notes[0]
    assert outcome.step_changes == ()
