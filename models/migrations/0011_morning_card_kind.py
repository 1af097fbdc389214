"""Cards gain the ``morning`` kind (the leader's morning list of open steps): only the choices
described on ``card_instance.kind`` change; the column (VARCHAR(32)) already holds the value."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from models.enums import CardKind


class Migration(migrations.Migration):
    dependencies = [("models", "0010_attachments")]

    initial = False

    operations = [
        ops.AlterField(
            model_name="CardInstance",
            name="kind",
            field=fields.CharEnumField(
                default=CardKind.DECISION,
                description="DECISION: decision\nMORNING: morning",
                enum_type=CardKind,
                max_length=32,
            ),
        ),
    ]
