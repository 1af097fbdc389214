"""The matter (说“不”事项), its decision steps and the replies to the applicant."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from models.enums import (
    Action,
    AdditionKind,
    MatterState,
    PromptPurpose,
    RefusalCategory,
    ReplyMethod,
    StepStatus,
    WithdrawReason,
)
from models.rows import attach, columns, fetch_rows, split

# Working hours (office hours on working days) as stored: 4 decimals, under a second of rounding.
HOURS_DIGITS = 12
HOURS_PLACES = 4

if TYPE_CHECKING:
    from models.catalog import CatalogItem
    from models.org import Department, Organisation, Person, Unit


class Matter(Model):
    """One matter staff would otherwise refuse. ``state``/``level`` follow ``bot.workflow``."""

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="matters"
    )
    organisation_id: int
    number = fields.CharField(max_length=32)
    year = fields.IntField()
    seq = fields.IntField()
    unit: fields.ForeignKeyRelation[Unit] = fields.ForeignKeyField("models.Unit", related_name="matters")
    unit_id: int
    department: fields.ForeignKeyRelation[Department] = fields.ForeignKeyField(
        "models.Department", related_name="matters"
    )
    department_id: int
    submitter: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="submitted"
    )
    submitter_id: int
    applicant = fields.CharField(max_length=200)
    applicant_phone = fields.CharField(max_length=32)
    subject = fields.TextField()
    request = fields.TextField(default="")
    reason = fields.TextField()
    policy_basis = fields.TextField(default="")
    catalog_item: fields.ForeignKeyNullableRelation[CatalogItem] = fields.ForeignKeyField(
        "models.CatalogItem", related_name="matters", null=True, on_delete=fields.SET_NULL
    )
    catalog_item_id: int | None
    co_department_ids: list[int] = fields.JSONField(default=list)
    state = fields.CharEnumField(MatterState, max_length=16, db_index=True)
    level = fields.IntField()
    # How the matter was decided, kept after it closes: "can_do" | "confirm_no" | None.
    outcome = fields.CharEnumField(Action, max_length=16, null=True)
    version = fields.IntField(default=1)
    submitted_at = fields.DatetimeField()
    due_at = fields.DatetimeField()
    decided_at = fields.DatetimeField(null=True)
    decided_level = fields.IntField(null=True)
    decided_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="decided", null=True, on_delete=fields.SET_NULL
    )
    decided_by_id: int | None
    # Working hours from submission to decision, stored with the decision (the digest's average).
    decided_hours = fields.DecimalField(max_digits=HOURS_DIGITS, decimal_places=HOURS_PLACES, null=True)
    decision_text = fields.TextField(default="")
    refusal_category = fields.CharEnumField(RefusalCategory, max_length=32, null=True)
    way_forward = fields.TextField(default="")
    replied_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    withdrawn_at = fields.DatetimeField(null=True)
    withdraw_reason = fields.CharEnumField(WithdrawReason, max_length=16, null=True)
    withdraw_note = fields.TextField(default="")  # the submitter's words (always for OTHER)
    showcase = fields.BooleanField(default=False)  # 典型案例, marked by the office in the console
    showcase_note = fields.TextField(default="")  # the case's short write-up
    showcase_at = fields.DatetimeField(null=True)  # when it was marked
    # When the owed reply's 催办 ladder must be looked at next (``bot.jobs.reply_reminders``):
    # meaningful while resolved/refused and not replied; NULL there means "at the next pass".
    next_reminder_at = fields.DatetimeField(null=True)

    class Meta:
        table = "matter"
        unique_together = (("organisation", "number"), ("organisation", "year", "seq"))
        # The quarter's cohort in the order it was accepted (在办 lists, 事项明细): 0022; its
        # refusals and its level-4 matters (分析研判): 0023.
        indexes = (
            ("organisation_id", "state", "next_reminder_at"),
            ("organisation_id", "submitted_at"),
            ("organisation_id", "outcome", "submitted_at"),
            ("organisation_id", "level", "submitted_at"),
        )


class DecisionStep(Model):
    """One approver's card at one level. Several open at level 3 when sections consult (会商)."""

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="steps"
    )
    organisation_id: int
    matter: fields.ForeignKeyRelation[Matter] = fields.ForeignKeyField("models.Matter", related_name="steps")
    matter_id: int
    level = fields.IntField()
    approver: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="steps"
    )
    approver_id: int
    # The leader the step belongs to when ``approver`` is their stand-in (代理).
    on_behalf_of: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="delegated_steps", null=True, on_delete=fields.SET_NULL
    )
    on_behalf_of_id: int | None
    lead = fields.BooleanField(default=True)
    status = fields.CharEnumField(StepStatus, max_length=16, db_index=True)
    decision = fields.CharEnumField(Action, max_length=16, null=True)
    decided_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="decided_steps", null=True, on_delete=fields.SET_NULL
    )
    decided_by_id: int | None
    decided_at = fields.DatetimeField(null=True)
    # Working hours from the step's opening to its decision, stored with the decision.
    working_hours = fields.DecimalField(max_digits=HOURS_DIGITS, decimal_places=HOURS_PLACES, null=True)
    comment = fields.TextField(default="")  # 研判意见; for 确认不能办, the reason
    # 确认不能办's 说“行”建议, kept here while the principal is still giving the words.
    way_forward = fields.TextField(default="")
    refusal_category = fields.CharEnumField(RefusalCategory, max_length=32, null=True)
    opened_at = fields.DatetimeField()
    version = fields.IntField(default=1)
    # When the step's 催办 ladder must be looked at next (``bot.jobs.step_reminders``): meaningful
    # while the step is open (the index leads with the status); NULL means "at the next pass".
    next_reminder_at = fields.DatetimeField(null=True)

    class Meta:
        table = "decision_step"
        # ``matter_id``: a matter's steps (cards, 事项明细, cascades) without reading every step: 0022.
        indexes = (("organisation_id", "status", "next_reminder_at"), ("matter_id",))


class ReplyRecord(Model):
    """电话/书面回复: the answer given to the applicant (phone replies are recorded)."""

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="replies"
    )
    organisation_id: int
    matter: fields.ForeignKeyRelation[Matter] = fields.ForeignKeyField(
        "models.Matter", related_name="replies"
    )
    matter_id: int
    method = fields.CharEnumField(ReplyMethod, max_length=16)
    callee_phone = fields.CharField(max_length=32, default="")
    content = fields.TextField()
    recorded_by: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="replies"
    )
    recorded_by_id: int
    recorded_at = fields.DatetimeField()

    class Meta:
        table = "reply_record"
        indexes = (("matter_id",),)  # a matter's replies (事项明细): 0022


class Addition(Model):
    """Words added to a decision after the applicant was answered: the reason, the 说“行”建议 or a
    comment is final then, so more words are stored beside it, with their own time, never over it."""

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="additions"
    )
    organisation_id: int
    matter: fields.ForeignKeyRelation[Matter] = fields.ForeignKeyField(
        "models.Matter", related_name="additions"
    )
    matter_id: int
    step: fields.ForeignKeyRelation[DecisionStep] = fields.ForeignKeyField(
        "models.DecisionStep", related_name="additions"
    )
    step_id: int
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="additions"
    )
    person_id: int
    kind = fields.CharEnumField(AdditionKind, max_length=16)
    text = fields.TextField()
    added_at = fields.DatetimeField()

    class Meta:
        table = "decision_addition"


class TextPrompt(Model):
    """The bot asked this person for words (a refusal's reason, a comment): their next message."""

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="prompts"
    )
    organisation_id: int
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="prompts"
    )
    person_id: int
    step: fields.ForeignKeyRelation[DecisionStep] = fields.ForeignKeyField(
        "models.DecisionStep", related_name="prompts"
    )
    step_id: int
    purpose = fields.CharEnumField(PromptPurpose, max_length=16)
    created_at = fields.DatetimeField()
    answered_at = fields.DatetimeField(null=True)

    class Meta:
        table = "text_prompt"


async def steps_with_matter(step_id: int, organisation_id: int) -> list[DecisionStep]:
    """All steps of the matter of the organisation's step ``step_id``, oldest first, each with its
    matter loaded (one object shared by all); empty if there is no such step."""
    sql = (
        f'SELECT {columns(DecisionStep)}, {columns(Matter, "m_")} FROM "decision_step"'  # noqa: S608  # nosec B608: names from model metadata
        ' JOIN "matter" ON "matter"."id" = "decision_step"."matter_id"'
        ' WHERE "decision_step"."matter_id" = (SELECT "matter_id" FROM "decision_step"'
        ' WHERE "id" = $1 AND "organisation_id" = $2) ORDER BY "decision_step"."id"'
    )
    rows = await fetch_rows(DecisionStep, sql, [step_id, organisation_id])
    matter = split(Matter, rows[0], "m_") if rows else None
    steps = []
    for row in rows:
        step = DecisionStep._init_from_db(**row)
        attach(step, "matter", matter)
        steps.append(step)
    return steps
