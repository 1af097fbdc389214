"""Errors whose message is for the user (Chinese): the change is rolled back and the message sent."""

from __future__ import annotations


class UserError(Exception):
    """Bad input or a refused action. ``str(error)`` says what to fix."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConcurrentChange(Exception):
    """Someone else changed the matter first (version check failed): retry the whole event."""
