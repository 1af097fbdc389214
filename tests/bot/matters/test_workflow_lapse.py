"""The 会商 deadline as a pure transition: the silent deputies' steps lapse, the matter goes up."""

from __future__ import annotations

from bot.matters.workflow import (
    Chain,
    Level,
    MatterState,
    MatterView,
    StepChange,
    StepStatus,
    StepView,
    Verdict,
    lapse_consultation,
)
from models.enums import Action

CHAIN = Chain(levels={Level.SECTION_HEAD: (2,), Level.DEPUTY: (3, 4, 5), Level.PRINCIPAL: (9,)})


def consultation(*statuses: StepStatus, state: MatterState = MatterState.PENDING) -> MatterView:
    steps = tuple(
        StepView(
            id=10 + i, level=Level.DEPUTY, approver_id=3 + i, lead=i == 0, status=status,
            decision=Action.CAN_DO if status is StepStatus.DECIDED else None,
        )
        for i, status in enumerate(statuses)
    )  # fmt: skip
    return MatterView(state=state, level=Level.DEPUTY, submitter_id=1, chain=CHAIN, steps=steps)


def test_a_silent_deputy_lapses_and_the_matter_goes_to_the_principal() -> None:
    outcome = lapse_consultation(consultation(StepStatus.DECIDED, StepStatus.DECIDED, StepStatus.PENDING))
    assert outcome.verdict is Verdict.APPLIED
    assert (outcome.state, outcome.level) == (MatterState.PENDING, Level.PRINCIPAL)
    assert outcome.step_changes == (StepChange(12, StepStatus.OVERDUE),)
    assert outcome.opening is not None and outcome.opening.approver_ids == (9,)


def test_every_silent_deputy_lapses() -> None:
    outcome = lapse_consultation(consultation(StepStatus.PENDING, StepStatus.DECIDED, StepStatus.PENDING))
    assert [c.step_id for c in outcome.step_changes] == [10, 12]


def test_nothing_lapses_without_a_consultation_a_silent_deputy_or_a_pending_matter() -> None:
    for view in (
        consultation(StepStatus.PENDING),  # one deputy: chased, not lapsed
        consultation(StepStatus.DECIDED, StepStatus.DECIDED),
        consultation(StepStatus.DECIDED, StepStatus.SUPERSEDED, state=MatterState.WITHDRAWN),
        consultation(StepStatus.DECIDED, StepStatus.PENDING, state=MatterState.RESOLVED),
    ):
        outcome = lapse_consultation(view)
        assert outcome.verdict is Verdict.ALREADY_HANDLED and outcome.step_changes == ()
        assert outcome.level == view.level
