"""Indexes for the quarterly summary over a million matters (Scale #9, `tiji digest --post`):

- ``decision_step.matter_id`` and ``reply_record.matter_id``: the 事项明细 reads the steps and the
  replies of 500 matters at a time; without them each chunk read every step of the database;
- ``matter (organisation_id, submitted_at)``: a quarter's matters in the order accepted (the 在办
  list stops after its first 20 instead of sorting the quarter);
- two partial indexes over the decisions whose working hours are not stored yet (``decided_hours``
  / ``working_hours`` NULL): `bot.reports.hours.fill_missing_hours` looks for them on every
  summary, and once they are filled the indexes are empty, so the look costs nothing. Written as
  SQL: a tortoise ``PartialIndex`` can only say ``column = value``, not ``IS NULL``;
- a partial index over the 典型案例 (``showcase``): the office digest counts the quarter's, a
  handful, and without it read the whole table for them.

Both PostgreSQL and SQLite take ``CREATE INDEX … WHERE``; these three are no part of the models'
state (the autodetector does not see them).
"""

from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

MATTER_HOURS = "idx_matter_hours_missing"
STEP_HOURS = "idx_decision_step_hours_missing"
SHOWCASE = "idx_matter_showcase"


class Migration(migrations.Migration):
    dependencies = [("models", "0020_inbound_events")]

    initial = False

    operations = [
        ops.AddIndex(
            model_name="DecisionStep",
            index=Index(fields=["matter_id"]),
        ),
        ops.AddIndex(
            model_name="Matter",
            index=Index(fields=["organisation_id", "submitted_at"]),
        ),
        ops.AddIndex(
            model_name="ReplyRecord",
            index=Index(fields=["matter_id"]),
        ),
        ops.RunSQL(
            [
                f"CREATE INDEX IF NOT EXISTS {MATTER_HOURS} ON matter (organisation_id, decided_at) "
                "WHERE decided_hours IS NULL AND decided_at IS NOT NULL",
                f"CREATE INDEX IF NOT EXISTS {STEP_HOURS} ON decision_step (organisation_id, decided_at) "
                "WHERE working_hours IS NULL AND decided_at IS NOT NULL",
                f"CREATE INDEX IF NOT EXISTS {SHOWCASE} ON matter (organisation_id, showcase_at) WHERE showcase",
            ],
            reverse_sql=[f"DROP INDEX IF EXISTS {name}" for name in (MATTER_HOURS, STEP_HOURS, SHOWCASE)],
        ),
    ]
