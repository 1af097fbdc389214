"""The anonymous visitor of the public pages: the form's fill-time stamp (a bot posts a form faster than anyone can type).

The stamp is ``<unix seconds>.<HMAC>`` in a hidden field; the HMAC key is random per session and
lives only in the session (in Redis, never sent to the browser), so a bot cannot backdate the time
it fetched the form, and no server-wide secret needs configuring."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

import aiohttp_session

STAMP_KEY = "public_form_key"
STAMP_FIELD = "started"
MAX_STAMP = 64  # characters; anything longer is not ours
MAX_SECONDS_DIGITS = 12


def _signature(key: str, seconds: int) -> str:
    return hmac.new(key.encode(), str(seconds).encode(), hashlib.sha256).hexdigest()[:32]


def issue_stamp(session: aiohttp_session.Session, now: dt.datetime) -> str:
    """The hidden field's value for a form shown at ``now`` (the session gets its key on first use)."""
    key = session.get(STAMP_KEY)
    if not isinstance(key, str) or not key:
        key = secrets.token_urlsafe(32)
        session[STAMP_KEY] = key
    seconds = int(now.timestamp())
    return f"{seconds}.{_signature(key, seconds)}"


def stamp_age(session: aiohttp_session.Session, stamp: object, now: dt.datetime) -> float | None:
    """Seconds since the form carrying ``stamp`` was shown; None when the stamp is missing, forged or
    from another session."""
    key = session.get(STAMP_KEY)
    if not isinstance(key, str) or not isinstance(stamp, str) or len(stamp) > MAX_STAMP:
        return None
    seconds_text, _, signature = stamp.partition(".")
    if not (stamp.isascii() and seconds_text.isdigit()) or len(seconds_text) > MAX_SECONDS_DIGITS:
        return None
    seconds = int(seconds_text)
    if not hmac.compare_digest(signature.encode(), _signature(key, seconds).encode()):
        return None
    return now.timestamp() - seconds
