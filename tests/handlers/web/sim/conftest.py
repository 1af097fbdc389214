"""Fixtures of the simulator app over a recording router (see ``tests/support/sim_app.py``)."""

from tests.support.sim_app import client, org, router

__all__ = ["client", "org", "router"]
