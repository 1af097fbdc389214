"""Tortoise models, one module per aggregate. Every row belongs to an organisation."""

MODEL_MODULES = [
    "models.org",
    "models.catalog",
    "models.matter",
    "models.cards",
    "models.messaging",
    "models.audit",
    "models.counters",
    "models.calendar",
    "models.reports",
    "models.simulator",
    "models.attachments",
    "models.accounts",
    "models.notices",
    "models.unit_rules",
    "models.complaints",
    "models.discipline",
    "models.complaint_feedback",
    "models.inbound",
]
