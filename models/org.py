"""Organisation, units, sections (departments), people, groups and stand-ins."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.enums import GroupKind, Platform, UnitKind


class Role(StrEnum):
    STAFF = "staff"
    SECTION_HEAD = "section_head"
    DEPUTY = "deputy"
    PRINCIPAL = "principal"
    OFFICE = "office"
    DISCIPLINE = "discipline"
    ADMIN = "admin"


class Organisation(Model):
    """A bureau served by this deployment (one deployment may serve several)."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=200)
    complaint_phone = fields.CharField(max_length=64, default="")
    complaint_address = fields.CharField(max_length=200, default="")
    default_platform = fields.CharEnumField(Platform, max_length=16, default=Platform.WECOM)

    class Meta:
        table = "organisation"


class Unit(Model):
    """单位: the bureau's own offices (局机关) or a subordinate unit (局属单位)."""

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="units"
    )
    organisation_id: int
    code = fields.CharField(max_length=64)
    name = fields.CharField(max_length=200)
    kind = fields.CharEnumField(UnitKind, max_length=16, default=UnitKind.BUREAU)
    # Person ids rather than foreign keys: people belong to units, so FKs both ways would be a
    # cycle the schema generator cannot order. The org import checks these ids.
    principal_id = fields.IntField(null=True)

    class Meta:
        table = "unit"
        unique_together = (("organisation", "code"),)


class Department(Model):
    """股室 (section): its head is level 2, its deputy (分管领导) level 3 of the chain."""

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="departments"
    )
    organisation_id: int
    unit: fields.ForeignKeyRelation[Unit] = fields.ForeignKeyField("models.Unit", related_name="departments")
    unit_id: int
    code = fields.CharField(max_length=64)
    name = fields.CharField(max_length=200)
    # Person ids (see Unit.principal_id for why not foreign keys).
    head_id = fields.IntField(null=True)
    deputy_id = fields.IntField(null=True)

    class Meta:
        table = "department"
        unique_together = (("organisation", "code"),)


class Person(Model):
    """A member of staff, reached on the platform the org file names for them."""

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="people"
    )
    organisation_id: int
    unit: fields.ForeignKeyNullableRelation[Unit] = fields.ForeignKeyField(
        "models.Unit", related_name="people", null=True, on_delete=fields.SET_NULL
    )
    unit_id: int | None
    department: fields.ForeignKeyNullableRelation[Department] = fields.ForeignKeyField(
        "models.Department", related_name="members", null=True, on_delete=fields.SET_NULL
    )
    department_id: int | None
    handle = fields.CharField(max_length=64)
    name = fields.CharField(max_length=64)
    title = fields.CharField(max_length=64, default="")
    phone = fields.CharField(max_length=32, default="")
    wecom_userid = fields.CharField(max_length=64, null=True)
    dingtalk_userid = fields.CharField(max_length=64, null=True)
    platform = fields.CharEnumField(Platform, max_length=16, null=True)  # None: the organisation's default
    roles: list[str] = fields.JSONField(default=list)
    active = fields.BooleanField(default=True)

    class Meta:
        table = "person"
        unique_together = (("organisation", "handle"),)

    def has_role(self, role: Role) -> bool:
        return role.value in (self.roles or [])


class StandIn(Model):
    """代理: while ``person`` is away, cards go to ``stand_in``, and the record shows both."""

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="stand_ins"
    )
    organisation_id: int
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField("models.Person", related_name="away")
    person_id: int
    stand_in: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="standing_in"
    )
    stand_in_id: int
    start_date = fields.DateField()
    end_date = fields.DateField()
    reason = fields.CharField(max_length=200, default="")

    class Meta:
        table = "stand_in"
        unique_together = (("organisation", "person", "start_date"),)


class GroupChannel(Model):
    """A group chat the bot posts to (the office group, a unit's group)."""

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="groups"
    )
    organisation_id: int
    code = fields.CharField(max_length=64)
    name = fields.CharField(max_length=200)
    kind = fields.CharEnumField(GroupKind, max_length=16, default=GroupKind.UNIT)
    unit: fields.ForeignKeyNullableRelation[Unit] = fields.ForeignKeyField(
        "models.Unit", related_name="groups", null=True, on_delete=fields.SET_NULL
    )
    unit_id: int | None
    platform = fields.CharEnumField(Platform, max_length=16, null=True)
    wecom_chat_id = fields.CharField(max_length=64, null=True)
    wecom_robot_key = fields.CharField(max_length=128, null=True)
    dingtalk_conversation_id = fields.CharField(max_length=128, null=True)
    dingtalk_webhook = fields.CharField(max_length=500, null=True)
    dingtalk_webhook_secret = fields.CharField(max_length=200, null=True)

    class Meta:
        table = "group_channel"
        unique_together = (("organisation", "code"),)
