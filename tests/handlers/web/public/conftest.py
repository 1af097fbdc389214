"""Fixtures of the public pages: ``corg`` (an organisation ``tc`` with sections, and another one)
and ``porg`` (the console's organisation with a public catalog)."""

from __future__ import annotations

import pytest

from bot.runtime.resources import Resources
from tests.support.console import ConsoleOrg, console_org
from tests.support.public import public_org


@pytest.fixture
async def corg(resources: Resources) -> ConsoleOrg:
    return await console_org()


@pytest.fixture
async def porg(resources: Resources) -> ConsoleOrg:
    return await public_org()
