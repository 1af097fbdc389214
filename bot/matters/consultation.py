"""The 会商 deadline as a pure transition (no I/O), beside ``bot.matters.workflow``'s table.

When the consulted deputies' deadline passes and one of them has not answered, the consultation
cannot stall (“直至向主要领导提出”): the silent deputies' steps close as 逾期未答复
(``StepStatus.OVERDUE``) and the matter goes to the next level — the principal — whatever the
others said; the principal's card and notice carry what each deputy said.
"""

from __future__ import annotations

from bot.matters.workflow import (
    Level,
    MatterState,
    MatterView,
    Outcome,
    StepChange,
    StepStatus,
    Verdict,
    next_opening,
)


def lapse_consultation(matter: MatterView) -> Outcome:
    """会商 past its deadline: silent deputies' steps close as 逾期未答复, the matter goes up a level.

    ``ALREADY_HANDLED`` when there is nothing to lapse: the matter is no longer pending, its level 3
    is not a 会商 (one deputy only: his deadline is chased like any step's), or everyone answered.
    """
    silent = tuple(s for s in matter.open_steps() if s.level == Level.DEPUTY)
    consulted = sum(s.level == Level.DEPUTY for s in matter.steps) > 1
    if not (consulted and silent and matter.state is MatterState.PENDING):
        return Outcome(Verdict.ALREADY_HANDLED, matter.state, matter.level)
    opening = next_opening(matter.chain, Level.DEPUTY, matter.submitter_id)
    overdue = tuple(StepChange(s.id, StepStatus.OVERDUE) for s in silent)
    return Outcome(Verdict.APPLIED, MatterState.PENDING, opening.level, step_changes=overdue, opening=opening)
