"""The tortoise configuration for tortoise's own CLI, which takes a dotted path to a dict:
``make migrations`` runs ``python -m tortoise -c bot.runtime.migration_config.MIGRATION_CONFIG
makemigrations``.

An entry point like ``bot.cli``, not a library module: importing it builds ``Settings`` (the
environment and ``.env``), so nothing in the product imports it.
"""

from __future__ import annotations

from typing import Any

from bot.runtime.db import tortoise_config
from bot.settings import Settings


def migration_config(settings: Settings) -> dict[str, Any]:
    """The configured database, or an in-memory SQLite one when none is configured:
    ``makemigrations`` compares the models with the migration files, so it needs no data (and must
    not create ``var/tiji.sqlite3`` as a side effect)."""
    return tortoise_config(settings.database_url or "sqlite://:memory:")


MIGRATION_CONFIG = migration_config(Settings())
