"""Fixtures of the public pages: ``corg`` (an organisation ``tc`` with sections, and another one)."""

from __future__ import annotations

import pytest

from bot.runtime.resources import Resources
from tests.support.console import ConsoleOrg, console_org


@pytest.fixture
async def corg(resources: Resources) -> ConsoleOrg:
    return await console_org()
