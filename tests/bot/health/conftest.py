"""Addresses where nothing listens: a lost Redis and a lost database, as the checks meet them."""

from __future__ import annotations

import socket

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def lost_redis_url() -> str:
    return f"redis://127.0.0.1:{free_port()}/0"


@pytest.fixture
def lost_database_url() -> str:
    return f"postgres://tiji:secret@127.0.0.1:{free_port()}/tiji"
