"""The matter (说“不”事项), its decision steps and the replies to the applicant."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Matter(Model):
    """One matter staff would otherwise refuse. ``state``/``level`` follow ``bot.workflow``."""

    id = fields.IntField(primary_key=True)
    organisation = fields.ForeignKeyField("models.Organisation", related_name="matters")
    number = fields.CharField(max_length=32)
    year = fields.IntField()
    seq = fields.IntField()
    unit = fields.ForeignKeyField("models.Unit", related_name="matters")
    department = fields.ForeignKeyField("models.Department", related_name="matters")
    submitter = fields.ForeignKeyField("models.Person", related_name="submitted")
    applicant = fields.CharField(max_length=200)
    applicant_phone = fields.CharField(max_length=32)
    subject = fields.TextField()
    request = fields.TextField(default="")
    reason = fields.TextField()
    policy_basis = fields.TextField(default="")
    catalog_item = fields.ForeignKeyField(
        "models.CatalogItem", related_name="matters", null=True, on_delete=fields.SET_NULL
    )
    co_department_ids: list[int] = fields.JSONField(default=list)  # type: ignore[assignment]
    state = fields.CharField(max_length=16, db_index=True)
    level = fields.IntField()
    # How the matter was decided, kept after it closes: "can_do" | "confirm_no" | None.
    outcome = fields.CharField(max_length=16, null=True)
    version = fields.IntField(default=1)
    submitted_at = fields.DatetimeField()
    due_at = fields.DatetimeField()
    decided_at = fields.DatetimeField(null=True)
    decided_level = fields.IntField(null=True)
    decided_by = fields.ForeignKeyField(
        "models.Person", related_name="decided", null=True, on_delete=fields.SET_NULL
    )
    decision_text = fields.TextField(default="")
    refusal_category = fields.CharField(max_length=32, default="")
    way_forward = fields.TextField(default="")
    replied_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    withdrawn_at = fields.DatetimeField(null=True)
    showcase = fields.BooleanField(default=False)

    class Meta:
        table = "matter"
        unique_together = (("organisation", "number"), ("organisation", "year", "seq"))


class DecisionStep(Model):
    """One approver's card at one level. Several open at level 3 when sections consult (会商)."""

    id = fields.IntField(primary_key=True)
    organisation = fields.ForeignKeyField("models.Organisation", related_name="steps")
    matter = fields.ForeignKeyField("models.Matter", related_name="steps")
    level = fields.IntField()
    approver = fields.ForeignKeyField("models.Person", related_name="steps")
    # The leader the step belongs to when ``approver`` is their stand-in (代理).
    on_behalf_of = fields.ForeignKeyField(
        "models.Person", related_name="delegated_steps", null=True, on_delete=fields.SET_NULL
    )
    lead = fields.BooleanField(default=True)
    status = fields.CharField(max_length=16, db_index=True)
    decision = fields.CharField(max_length=16, null=True)
    decided_by = fields.ForeignKeyField(
        "models.Person", related_name="decided_steps", null=True, on_delete=fields.SET_NULL
    )
    decided_at = fields.DatetimeField(null=True)
    comment = fields.TextField(default="")
    refusal_category = fields.CharField(max_length=32, default="")
    opened_at = fields.DatetimeField()
    version = fields.IntField(default=1)

    class Meta:
        table = "decision_step"


class ReplyRecord(Model):
    """电话/书面回复: the answer given to the applicant (phone replies are recorded)."""

    id = fields.IntField(primary_key=True)
    organisation = fields.ForeignKeyField("models.Organisation", related_name="replies")
    matter = fields.ForeignKeyField("models.Matter", related_name="replies")
    method = fields.CharField(max_length=16)  # phone | written
    callee_phone = fields.CharField(max_length=32, default="")
    content = fields.TextField()
    recorded_by = fields.ForeignKeyField("models.Person", related_name="replies")
    recorded_at = fields.DatetimeField()

    class Meta:
        table = "reply_record"


class TextPrompt(Model):
    """The bot asked this person for words (a refusal's reason, a comment): their next message."""

    id = fields.IntField(primary_key=True)
    organisation = fields.ForeignKeyField("models.Organisation", related_name="prompts")
    person = fields.ForeignKeyField("models.Person", related_name="prompts")
    step = fields.ForeignKeyField("models.DecisionStep", related_name="prompts")
    purpose = fields.CharField(max_length=16)  # refusal | comment
    created_at = fields.DatetimeField()
    answered_at = fields.DatetimeField(null=True)

    class Meta:
        table = "text_prompt"


class CardInstance(Model):
    """A card delivered for a step to one person; ``ref`` is its unguessable id on every platform."""

    id = fields.IntField(primary_key=True)
    organisation = fields.ForeignKeyField("models.Organisation", related_name="cards")
    ref = fields.CharField(max_length=64, unique=True)
    step = fields.ForeignKeyField("models.DecisionStep", related_name="cards")
    recipient = fields.ForeignKeyField("models.Person", related_name="cards")
    platform = fields.CharField(max_length=16)
    platform_state: dict[str, str] = fields.JSONField(default=dict)  # type: ignore[assignment]
    created_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "card_instance"
