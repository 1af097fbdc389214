"""事项清单 items gain their 办事指南: legal basis, time limit, required materials, the steps, and
whether the item is shown on the public page. Existing items get empty guides and are public."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0008_outbox_merged")]

    initial = False

    operations = [
        ops.AddField(model_name="CatalogItem", name="legal_basis", field=fields.TextField(default="")),
        ops.AddField(
            model_name="CatalogItem", name="time_limit", field=fields.CharField(default="", max_length=64)
        ),
        ops.AddField(model_name="CatalogItem", name="materials", field=fields.TextField(default="")),
        ops.AddField(model_name="CatalogItem", name="steps", field=fields.TextField(default="")),
        ops.AddField(model_name="CatalogItem", name="public", field=fields.BooleanField(default=True)),
    ]
