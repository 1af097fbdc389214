"""Fixtures of the phone pages: the org of ``tests/support/sim_app.py``."""

from tests.support.sim_app import org

__all__ = ["org"]
