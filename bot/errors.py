"""Errors whose message is for the user (Chinese): the change is rolled back and the message sent."""

from __future__ import annotations


class UserError(Exception):
    """Bad input or a refused action. ``str(error)`` says what to fix."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConcurrentChange(Exception):
    """Someone else changed the matter first (version check failed): retry the whole event."""


class AlreadyHandled(UserError):
    """The step (or matter) asked about is no longer open: someone decided it first. A page shows
    this as its state (「此环节已处理」), not as an error."""
