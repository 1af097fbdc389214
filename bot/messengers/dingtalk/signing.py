"""DingTalk signatures: robot callbacks, card callbacks and custom-robot webhooks.

All three are ``base64(HMAC-SHA256(key, message))``; they differ in key and message. Comparisons run
in constant time, and timestamps outside the window DingTalk documents (1 h) are refused, so a
captured request cannot be replayed later.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from urllib.parse import quote_plus

MAX_SKEW = dt.timedelta(hours=1)
MAX_DIGITS = 20


def hmac_b64(key: str, message: str) -> str:
    digest = hmac.new(key.encode(), message.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def robot_sign(timestamp_ms: str, secret: str) -> str:
    """The ``sign`` of a robot callback or a custom-robot webhook: key = secret, msg = "ts\\nsecret"."""
    return hmac_b64(secret, f"{timestamp_ms}\n{secret}")


def card_callback_sign(timestamp: str, api_secret: str) -> str:
    """``x-ddpaas-signature`` of an HTTP card callback: key = apiSecret, msg = the timestamp."""
    return hmac_b64(api_secret, timestamp)


def _timestamp(raw: str | None) -> dt.datetime | None:
    """A DingTalk timestamp header (milliseconds; seconds tolerated) as an aware datetime."""
    # ASCII only: "²".isdigit() is true (headers arrive as latin-1) but int() refuses it; and short:
    # int() refuses more than 4,300 digits, and no date has more than 20.
    raw = raw.strip() if raw is not None else ""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > MAX_DIGITS:
        return None
    value = int(raw)
    try:
        value_s = value / 1000 if value > 10**11 else float(value)  # milliseconds, or seconds
        return dt.datetime.fromtimestamp(value_s, dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None


def fresh(raw_timestamp: str | None, now: dt.datetime) -> bool:
    """Whether the timestamp header is within 1 h of ``now``."""
    when = _timestamp(raw_timestamp)
    return when is not None and abs(now - when) <= MAX_SKEW


def verify_robot_request(timestamp: str | None, sign: str | None, secret: str, now: dt.datetime) -> bool:
    """A robot message callback is genuine: fresh timestamp and matching ``sign``."""
    if not timestamp or not sign or not fresh(timestamp, now):
        return False
    return hmac.compare_digest(robot_sign(timestamp.strip(), secret).encode(), sign.strip().encode())


def verify_card_callback(
    timestamp: str | None, signature: str | None, api_secret: str, now: dt.datetime
) -> bool:
    """An HTTP card callback is genuine: fresh timestamp and matching ``x-ddpaas-signature``."""
    if not timestamp or not signature or not fresh(timestamp, now):
        return False
    expected = card_callback_sign(timestamp.strip(), api_secret)
    return hmac.compare_digest(expected.encode(), signature.strip().encode())


def signed_webhook_url(url: str, secret: str | None, now: dt.datetime) -> str:
    """A custom-robot webhook URL with ``timestamp`` and ``sign`` appended (when a secret is set)."""
    if not secret:
        return url
    ts = str(int(now.timestamp() * 1000))
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}timestamp={ts}&sign={quote_plus(robot_sign(ts, secret))}"
