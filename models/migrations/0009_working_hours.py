"""Working hours stored with each decision (``decision_step.working_hours``: the step's opening to
its decision; ``matter.decided_hours``: submission to decision), and the reason of a withdrawal
(``matter.withdraw_reason``), so the quarterly figures are a ``GROUP BY``.

The columns are added empty. Decisions made before this migration get their working hours the
first time a quarter's figures need them (`bot.reports.hours.fill_missing_hours`): that needs the
organisation's working-day calendar (its holiday overrides and the configured office hours), which
the deployment's settings give and a migration does not have. Withdrawals from before have no
reason; the figures count them as 其他.

``withdraw_reason`` is also added by the policy-chain branch's ``0004_*`` migration: when both are
merged, the operation stays in whichever migration comes first.
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from models.enums import WithdrawReason


class Migration(migrations.Migration):
    dependencies = [("models", "0003_card_kind")]

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
        ops.AddField(
            model_name="Matter",
            name="withdraw_reason",
            field=fields.CharEnumField(
                null=True,
                description="APPLICANT: applicant\nMISREPORT: misreport\nOTHER: other",
                enum_type=WithdrawReason,
                max_length=16,
            ),
        ),
    ]
