from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import Action, GroupKind, MatterState, Platform, PromptPurpose, RefusalCategory, ReplyMethod, SimDirection, SimKind, StepStatus, UnitKind
from models.messaging import OutboxKind, OutboxStatus
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='CardInstance',
            name='platform',
            field=fields.CharEnumField(description='SIMULATOR: simulator\nWECOM: wecom\nDINGTALK: dingtalk', enum_type=Platform, max_length=16),
        ),
        ops.AlterField(
            model_name='DecisionStep',
            name='decision',
            field=fields.CharEnumField(null=True, description='CAN_DO: can_do\nESCALATE: escalate\nCONFIRM_NO: confirm_no\nGIVE_REFUSAL_TEXT: give_refusal_text\nWITHDRAW: withdraw\nRECORD_REPLY: record_reply', enum_type=Action, max_length=16),
        ),
        ops.AlterField(
            model_name='DecisionStep',
            name='refusal_category',
            field=fields.CharEnumField(null=True, description='LAW: law\nCONDITIONS: conditions\nOTHER: other', enum_type=RefusalCategory, max_length=32),
        ),
        ops.AlterField(
            model_name='DecisionStep',
            name='status',
            field=fields.CharEnumField(db_index=True, description='PENDING: pending\nAWAITING_TEXT: awaiting_text\nDECIDED: decided\nSUPERSEDED: superseded', enum_type=StepStatus, max_length=16),
        ),
        ops.AlterField(
            model_name='GroupChannel',
            name='kind',
            field=fields.CharEnumField(default=GroupKind.UNIT, description='OFFICE: office\nUNIT: unit', enum_type=GroupKind, max_length=16),
        ),
        ops.AlterField(
            model_name='GroupChannel',
            name='platform',
            field=fields.CharEnumField(null=True, description='SIMULATOR: simulator\nWECOM: wecom\nDINGTALK: dingtalk', enum_type=Platform, max_length=16),
        ),
        ops.AlterField(
            model_name='Matter',
            name='outcome',
            field=fields.CharEnumField(null=True, description='CAN_DO: can_do\nESCALATE: escalate\nCONFIRM_NO: confirm_no\nGIVE_REFUSAL_TEXT: give_refusal_text\nWITHDRAW: withdraw\nRECORD_REPLY: record_reply', enum_type=Action, max_length=16),
        ),
        ops.AlterField(
            model_name='Matter',
            name='refusal_category',
            field=fields.CharEnumField(null=True, description='LAW: law\nCONDITIONS: conditions\nOTHER: other', enum_type=RefusalCategory, max_length=32),
        ),
        ops.AlterField(
            model_name='Matter',
            name='state',
            field=fields.CharEnumField(db_index=True, description='PENDING: pending\nRESOLVED: resolved\nREFUSED: refused\nWITHDRAWN: withdrawn\nCLOSED: closed', enum_type=MatterState, max_length=16),
        ),
        ops.AlterField(
            model_name='Organisation',
            name='default_platform',
            field=fields.CharEnumField(default=Platform.WECOM, description='SIMULATOR: simulator\nWECOM: wecom\nDINGTALK: dingtalk', enum_type=Platform, max_length=16),
        ),
        ops.AlterField(
            model_name='OutboxMessage',
            name='kind',
            field=fields.CharEnumField(description='TEXT: text\nCARD: card\nCARD_UPDATE: card_update\nGROUP: group', enum_type=OutboxKind, max_length=16),
        ),
        ops.AlterField(
            model_name='OutboxMessage',
            name='platform',
            field=fields.CharEnumField(description='SIMULATOR: simulator\nWECOM: wecom\nDINGTALK: dingtalk', enum_type=Platform, max_length=16),
        ),
        ops.AlterField(
            model_name='OutboxMessage',
            name='status',
            field=fields.CharEnumField(default=OutboxStatus.PENDING, db_index=True, description='PENDING: pending\nSENT: sent\nFAILED: failed', enum_type=OutboxStatus, max_length=16),
        ),
        ops.AlterField(
            model_name='Person',
            name='platform',
            field=fields.CharEnumField(null=True, description='SIMULATOR: simulator\nWECOM: wecom\nDINGTALK: dingtalk', enum_type=Platform, max_length=16),
        ),
        ops.AlterField(
            model_name='ReplyRecord',
            name='method',
            field=fields.CharEnumField(description='PHONE: phone\nWRITTEN: written', enum_type=ReplyMethod, max_length=16),
        ),
        ops.AlterField(
            model_name='SimMessage',
            name='direction',
            field=fields.CharEnumField(description='IN: in\nOUT: out', enum_type=SimDirection, max_length=4),
        ),
        ops.AlterField(
            model_name='SimMessage',
            name='kind',
            field=fields.CharEnumField(description='TEXT: text\nCARD: card\nFILE: file', enum_type=SimKind, max_length=8),
        ),
        ops.AlterField(
            model_name='TextPrompt',
            name='purpose',
            field=fields.CharEnumField(description='REFUSAL: refusal\nCOMMENT: comment', enum_type=PromptPurpose, max_length=16),
        ),
        ops.AlterField(
            model_name='Unit',
            name='kind',
            field=fields.CharEnumField(default=UnitKind.BUREAU, description='BUREAU: bureau\nSUBORDINATE: subordinate', enum_type=UnitKind, max_length=16),
        ),
            # Matters stored the refusal category's Chinese title and steps '' for none: both become the
        # enum's code, and no category at all is NULL.
        ops.RunSQL(
            [
                "UPDATE matter SET refusal_category = 'law' WHERE refusal_category = '法律政策不允许'",
                "UPDATE matter SET refusal_category = 'conditions' WHERE refusal_category = '客观条件不具备'",
                "UPDATE matter SET refusal_category = 'other' WHERE refusal_category = '其他'",
                "UPDATE matter SET refusal_category = NULL WHERE refusal_category = ''",
                "UPDATE decision_step SET refusal_category = NULL WHERE refusal_category = ''",
            ],
            reverse_sql=[
                "UPDATE matter SET refusal_category = '法律政策不允许' WHERE refusal_category = 'law'",
                "UPDATE matter SET refusal_category = '客观条件不具备' WHERE refusal_category = 'conditions'",
                "UPDATE matter SET refusal_category = '其他' WHERE refusal_category = 'other'",
                "UPDATE matter SET refusal_category = '' WHERE refusal_category IS NULL",
                "UPDATE decision_step SET refusal_category = '' WHERE refusal_category IS NULL",
            ],
        ),
]
