"""Fixtures of the console pages: ``corg`` (every console role, and another organisation)."""

from __future__ import annotations

import pytest

from bot.runtime.resources import Resources
from tests.support.console import ConsoleOrg, console_org


@pytest.fixture
async def corg(resources: Resources) -> ConsoleOrg:
    return await console_org()
