from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import AdditionKind, WithdrawReason
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0003_card_kind')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Addition',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('models.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='additions', on_delete=OnDelete.CASCADE)),
                ('matter', fields.ForeignKeyField('models.Matter', source_field='matter_id', db_constraint=True, to_field='id', related_name='additions', on_delete=OnDelete.CASCADE)),
                ('step', fields.ForeignKeyField('models.DecisionStep', source_field='step_id', db_constraint=True, to_field='id', related_name='additions', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='additions', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='REASON: reason\nWAY_FORWARD: way_forward\nCOMMENT: comment', enum_type=AdditionKind, max_length=16)),
                ('text', fields.TextField(unique=False)),
                ('added_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'decision_addition', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Words added to a decision after the applicant was answered: the reason, the 说“行”建议 or a'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='DecisionStep',
            name='way_forward',
            field=fields.TextField(default='', unique=False),
        ),
        ops.AddField(
            model_name='Matter',
            name='withdraw_note',
            field=fields.TextField(default='', unique=False),
        ),
        ops.AddField(
            model_name='Matter',
            name='withdraw_reason',
            field=fields.CharEnumField(null=True, description='APPLICANT: applicant\nMISREPORT: misreport\nOTHER: other', enum_type=WithdrawReason, max_length=16),
        ),
    ]
