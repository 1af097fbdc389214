"""Working hours stored with each decision (``decision_step.working_hours``: the step's opening to
its decision; ``matter.decided_hours``: submission to decision), so the quarterly
figures are a ``GROUP BY``. (The withdrawal's reason, which they count too, comes with ``0004``.)

The columns are added empty. Decisions made before this migration get their working hours the
first time a quarter's figures need them (`bot.reports.hours.fill_missing_hours`): that needs the
organisation's working-day calendar (its holiday overrides and the configured office hours), which
the deployment's settings give and a migration does not have.
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0006_counters_audit_head")]

    initial = False

    operations = [
        ops.AddField(
            model_name="DecisionStep",
            name="working_hours",
            field=fields.DecimalField(null=True, max_digits=12, decimal_places=4),
        ),
        ops.AddField(
            model_name="Matter",
            name="decided_hours",
            field=fields.DecimalField(null=True, max_digits=12, decimal_places=4),
        ),
    ]
