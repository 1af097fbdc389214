"""Local sign-in accounts of the console (``/admin``): admins and office staff who sign in with a
username and password rather than through WeCom or DingTalk."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.org import Organisation


class ConsoleAccount(Model):
    """A local console account with an argon2 password hash, roles and a lockout.

    Roles are ``models.org.Role`` values (admin, office, discipline); after repeated wrong
    passwords the account is locked until ``locked_until``."""

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="console_accounts"
    )
    organisation_id: int
    username = fields.CharField(max_length=64, unique=True)
    display_name = fields.CharField(max_length=64, default="")
    password_hash = fields.CharField(max_length=255)
    roles: list[str] = fields.JSONField(default=list)
    failed_attempts = fields.IntField(default=0)
    locked_until = fields.DatetimeField(null=True)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField()
    last_signin_at = fields.DatetimeField(null=True)

    class Meta:
        table = "console_account"

    @property
    def label(self) -> str:
        """How the account is named in the console and the audit log."""
        return self.display_name or self.username
