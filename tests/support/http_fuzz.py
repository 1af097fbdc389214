"""Hypothesis strategies for malformed HTTP requests against any aiohttp app: every route of
``app.router.routes()`` (so a new route is fuzzed without editing a list), random path parameters
and query strings, and bodies that are random bytes, invalid UTF-8, deeply nested JSON, JSON of the
wrong shape, the wrong content type, or too large."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from aiohttp import web
from hypothesis import assume
from hypothesis import strategies as st

Headers = tuple[tuple[str, str], ...]
PARAM = re.compile(r"\{(\w+)(?::[^}]*)?\}")
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
# Keys of the bodies the app reads (simulator, DingTalk): a random value under a known key reaches
# the field checks, not only the parser.
BODY_KEYS = (
    "from", "text", "by", "key", "selected", "now", "advance", "msgId", "senderStaffId", "msgtype",
    "conversationType", "conversationId", "outTrackId", "userId", "content", "value",
)  # fmt: skip
# The headers the platform callbacks read before anything else (DingTalk's signatures).
SIGNATURE_HEADERS = ("timestamp", "sign", "x-ddpaas-signature-timestamp", "x-ddpaas-signature")
MAX_URL = 8000
DEPTHS = (100, 900, 990, 1000, 1100, 5000, 100_000)
CHARSETS = ("utf-8", "utf-16", "latin-1", "gbk", "idna", "punycode", "utf-7", "zlib", "no-such-charset")


@dataclass(frozen=True)
class Route:
    """One route of the app: its method and path template (``{name}`` for each parameter)."""

    method: str
    template: str


@dataclass(frozen=True)
class FuzzRequest:
    method: str
    url: str  # percent-encoded path and query, sent as is
    headers: Headers
    body: bytes

    def __repr__(self) -> str:  # keep hypothesis' report readable when a body is 100 kB
        body = self.body if len(self.body) <= 200 else self.body[:200] + b"... (%d bytes)" % len(self.body)
        return f"FuzzRequest({self.method} {self.url[:300]!r}, headers={self.headers!r}, body={body!r})"


def app_routes(app: web.Application) -> list[Route]:
    """Every route the app serves; a static directory counts as ``prefix/{filename}``."""
    found: set[Route] = set()
    for route in app.router.routes():
        resource = route.resource
        if resource is None:
            continue
        info = resource.get_info()
        template = info.get("formatter") or info.get("path")
        if template is None and "prefix" in info:
            template = f"{info['prefix']}/{{filename}}"
        if isinstance(template, str):
            found.add(Route(route.method, template))
    return sorted(found, key=lambda r: (r.template, r.method))


# ---- pieces of a URL -----------------------------------------------------------------------------

_printable = st.characters(exclude_categories=("Cc", "Cs"))
header_values = st.text(_printable, max_size=60)
_junk_headers = ("9" * 4400, "0" * 4400, "-1", "1e20", "\u00b2", "", " ", "1796000000000")
_junk_segments = (
    "%00", "%C2%B2", "%FF", "%ED%A0%80", "..", "%2e%2e", "%2F..%2F..%2Fpyproject.toml", "-1", "1.5",
    "9" * 4400, "0" * 4400, "sim.js", "sim.css", "index.html", "%20", "~",
)  # fmt: skip


def segments(known: Sequence[str]) -> st.SearchStrategy[str]:
    """One percent-encoded path segment: a real value of the app, junk, or anything at all."""
    return st.one_of(
        st.sampled_from(list(known) + list(_junk_segments)),
        st.text(max_size=40).map(lambda t: quote(t.encode("utf-8", "surrogatepass"), safe="")),
        st.binary(max_size=24).map(lambda b: quote(b, safe="")),
        st.integers(-(2**70), 2**70).map(str),
    )


def queries() -> st.SearchStrategy[str]:
    """A percent-encoded query string (no leading ``?``), possibly empty or undecodable."""
    names = st.sampled_from(["after", "changed_after", "msg_signature", "timestamp", "nonce", "echostr"])
    values = st.one_of(
        st.text(max_size=30).map(lambda t: quote(t.encode("utf-8", "surrogatepass"), safe="")),
        st.binary(max_size=16).map(lambda b: quote(b, safe="")),
        st.integers(-(2**80), 2**80).map(str),
        st.sampled_from(["", "%C2%B2", "9" * 4400, "%00", "%FF%FE", "1e9", "NaN"]),
    )
    pairs = st.lists(st.tuples(names | st.text(max_size=8).map(quote), values), max_size=4)
    return st.one_of(
        st.just(""),
        pairs.map(lambda ps: "&".join(f"{k}={v}" for k, v in ps)),
        st.binary(max_size=40).map(lambda b: quote(b, safe="=&%")),
    )


def path_for(template: str, draw: st.DrawFn, known: Mapping[str, Sequence[str]]) -> str:
    """``template`` with each ``{name}`` replaced by a drawn segment (``known`` values by name)."""
    return PARAM.sub(lambda m: draw(segments(known.get(m.group(1), ()))), template)


# ---- bodies --------------------------------------------------------------------------------------


def random_bytes() -> st.SearchStrategy[bytes]:
    return st.binary(max_size=2048)


def invalid_utf8() -> st.SearchStrategy[bytes]:
    """JSON-looking bodies with bytes no UTF-8 decoder accepts, at the start, inside a string, or alone."""
    bad = st.sampled_from(
        [b"\xff", b"\xfe\xff", b"\xc3\x28", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\x80"]
    )
    return st.one_of(
        st.tuples(bad, st.binary(max_size=64)).map(lambda p: p[0] + p[1]),
        st.tuples(st.sampled_from(BODY_KEYS), bad).map(lambda p: b'{"%s": "a%sb", "text": "x"}' % (p[0].encode(), p[1])),
        st.tuples(st.binary(max_size=32), bad, st.binary(max_size=32)).map(lambda p: b'{"from": "' + b"".join(p) + b'"}'),
    )  # fmt: skip


def _deep(depth: int, shape: str) -> bytes:
    if shape == "lists":
        return b"[" * depth + b"]" * depth
    if shape == "objects":
        return b'{"a":' * depth + b"1" + b"}" * depth
    return b"[" * depth  # never closed


def deep_json() -> st.SearchStrategy[bytes]:
    """JSON nested past any parser's recursion limit: bare, unclosed, or as a known field's value."""
    nested = st.builds(_deep, st.sampled_from(DEPTHS), st.sampled_from(["lists", "objects", "open"]))

    def inside(value: bytes, key: str, as_string: bool) -> bytes:
        if as_string:  # DingTalk sends `content` as a JSON document inside a string
            value = json.dumps(value.decode()).encode()
        return b'{"%s": %s, "text": "x", "by": "x", "key": "x"}' % (key.encode(), value)

    return st.one_of(nested, st.builds(inside, nested, st.sampled_from(BODY_KEYS), st.booleans()))


def json_values() -> st.SearchStrategy[bytes]:
    """Valid JSON of any shape, often an object with the app's own keys holding the wrong things."""
    leaves = st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20),
        st.sampled_from(["", " ", "\x00", "\ud800", "P1D", "PT0H", "2026-12-01T09:00:00", "law", "9" * 5000]),
    )  # fmt: skip
    values = st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
        max_leaves=12,
    )
    keyed = st.dictionaries(st.sampled_from(BODY_KEYS), values, max_size=5)
    return st.tuples(st.one_of(keyed, values), st.booleans()).map(
        lambda p: json.dumps(p[0], ensure_ascii=p[1]).encode("utf-8", "surrogatepass")
    )


def content_types() -> st.SearchStrategy[str]:
    charset = st.sampled_from(CHARSETS).map(lambda c: f"application/json; charset={c}")
    fixed = st.sampled_from(
        ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/xml",
         "application/octet-stream", "application/json", "", "；", "application/json; charset="]
    )  # fmt: skip
    return st.one_of(charset, fixed, header_values)


def wrong_content_type_bodies() -> st.SearchStrategy[bytes]:
    return st.one_of(
        json_values(),
        st.just(b"from=zhangsan&text=%E5%B8%AE%E5%8A%A9"),
        st.just(b'--x\r\nContent-Disposition: form-data; name="text"\r\n\r\n\xe5\xb8\xae\r\n--x--\r\n'),
        st.just(b"<xml><Encrypt>abc</Encrypt></xml>"),
        st.just('{"from": "zhangsan", "text": "帮助"}'.encode("utf-16")),
    )


def oversized(limit: int) -> st.SearchStrategy[bytes]:
    """Bodies over ``limit`` bytes (aiohttp answers 413 when a handler reads one)."""
    return st.builds(
        lambda extra, filler: filler * (limit + extra),
        st.integers(1, limit),
        st.sampled_from([b"[", b"x", b"\xff"]),
    )


# ---- whole requests ------------------------------------------------------------------------------


def requests(
    routes: Sequence[Route],
    bodies: st.SearchStrategy[bytes],
    *,
    known: Mapping[str, Sequence[str]],
    ours: str,
) -> st.SearchStrategy[FuzzRequest]:
    """A request to one of ``routes`` (or, now and then, with another method) with one of ``bodies``
    and random Origin / Accept / Content-Type headers. ``ours`` is the server's own origin."""

    @st.composite
    def build(draw: st.DrawFn) -> FuzzRequest:
        route = draw(st.sampled_from(list(routes)))
        method = draw(st.one_of(st.just(route.method), st.sampled_from(METHODS)))
        path = path_for(route.template, draw, known)
        query = draw(queries())
        headers: list[tuple[str, str]] = []
        origin = draw(
            st.one_of(
                st.none(),
                st.just(ours),
                st.sampled_from(["https://evil.example", "http://[", "null"]),
                header_values,
            )
        )
        if origin is not None:
            headers.append(("Origin", origin))
        for name in draw(st.lists(st.sampled_from(SIGNATURE_HEADERS), max_size=2, unique=True)):
            headers.append((name, draw(st.one_of(st.sampled_from(_junk_headers), header_values))))
        for name, strategy in (("Accept", st.sampled_from(["text/html", "application/json", "*/*"])),
                               ("Content-Type", content_types()), ("X-Forwarded-Host", header_values)):  # fmt: skip
            value = draw(st.one_of(st.none(), strategy))
            if value is not None:
                headers.append((name, value))
        url = path + (f"?{query}" if query else "")
        # aiohttp refuses a request line over 8190 bytes itself (400), before any handler runs.
        assume(len(url) < MAX_URL)
        return FuzzRequest(method, url, tuple(headers), draw(bodies))

    return build()
