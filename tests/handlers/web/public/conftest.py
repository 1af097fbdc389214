"""Fixtures of the public pages: ``porg`` (the console's organisation with a public catalog)."""

from __future__ import annotations

import pytest

from bot.runtime.resources import Resources
from tests.support.console import ConsoleOrg
from tests.support.public import public_org


@pytest.fixture
async def porg(resources: Resources) -> ConsoleOrg:
    return await public_org()
