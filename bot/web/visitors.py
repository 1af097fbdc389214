"""The anonymous visitor of the public pages: where the request comes from (for the per-IP limits)
and the form's fill-time stamp (a bot posts a form faster than anyone can type).

The stamp is ``<unix seconds>.<HMAC>`` in a hidden field; the HMAC key is random per session and
lives only in the session (in Redis, never sent to the browser), so a bot cannot backdate the time
it fetched the form, and no server-wide secret needs configuring."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import secrets

import aiohttp_session
from aiohttp import web

STAMP_KEY = "public_form_key"
STAMP_FIELD = "started"
MAX_STAMP = 64  # characters; anything longer is not ours
MAX_SECONDS_DIGITS = 12
FORWARDED_FOR = "X-Forwarded-For"


def _from_proxy(remote: str | None) -> bool:
    """Whether the peer is our reverse proxy (loopback or a private network, as in deploy/)."""
    try:
        address = ipaddress.ip_address(remote or "")
    except ValueError:
        return False
    return address.is_loopback or address.is_private


def client_ip(request: web.Request) -> str:
    """The visitor's address: the peer's, or — when the peer is our proxy — the last address of
    ``X-Forwarded-For`` (nginx's ``$proxy_add_x_forwarded_for`` appends the one it saw; whatever
    the visitor put before it is ignored)."""
    remote = request.remote or "unknown"
    forwarded = request.headers.get(FORWARDED_FOR, "")
    if forwarded and _from_proxy(request.remote):
        last = forwarded.rsplit(",", 1)[-1].strip()
        try:
            return str(ipaddress.ip_address(last))
        except ValueError:
            return remote
    return remote


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
