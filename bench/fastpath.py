"""The callback's fast path against the reference (`python -m bench.fastpath`).

What ``/wecom/callback`` costs when the router is not involved: the request is verified,
decrypted and parsed and then answered, either as a duplicate delivery (one Redis ``SET NX`` that
finds the mark) or as an event with nothing to do (``enter_agent``: no Redis, no database). That is
the web process's share of the accept path once the callback answers after one INSERT; each run
stands next to the reference server's ``/insert`` (aiohttp + one tortoise INSERT) measured in the
same round. Both are real processes and the load comes from a process of its own
(``bench.load``). Printed per kind and concurrency: req/s, p50/p99 and the server's CPU per
request (user + system time of its process over the run, from ``/proc``).

Needs the machine's PostgreSQL (``--admin-url``): a private database is created and dropped.
``--baseline DIR`` also runs a second `tiji serve` from another checkout (e.g. ``git archive
<commit> | tar -x -C DIR``) and measures it in the same rounds: before and after under one load.
``--profile-seconds N`` also records the tiji process with py-spy (``pip install py-spy``) during
the first duplicate run and writes ``fastpath-profile.txt`` into ``--out``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import itertools
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from redis.asyncio import Redis

from bench.environment import ADMIN_URL, bench_database
from bench.report import latency_summary
from bench.web_figures import ROOT, Load
from bot.runtime.seen import seen_key
from tests.fakes.wecom_callback import cdata, text_xml
from tests.support.databases import prepare_database
from tests.support.processes import FakeWeComServer, RedisServer, TijiServe, free_port, serve, tiji_env
from tests.support.wecom_traffic import CALLBACK, Callback

REQUESTS = 3000
CONCURRENCIES = (16, 32)
KINDS = ("duplicate", "enter_agent")
USER = "zhangwei"
_ids = itertools.count(int(time.time() * 1000))


@dataclass(frozen=True)
class Figure:
    what: str
    load: Load
    cpu_seconds: float

    def line(self) -> str:
        per_request = self.cpu_seconds / len(self.load.statuses) * 1e6
        return (
            f"{self.what:<28} {self.load.per_second:7,.0f} req/s  {latency_summary(self.load.latencies)}"
            f"  CPU {per_request:5,.0f} µs/request  non-200 {self.load.failed}"
        )


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def duplicates(wecom: FakeWeComServer, n: int) -> tuple[list[Callback], list[str]]:
    """``n`` text callbacks and the seen marks that make each a duplicate delivery."""
    now = int(time.time())
    callbacks, marks = [], []
    for _ in range(n):
        msg_id = str(next(_ids))
        xml = text_xml(wecom.api.corp_id, USER, "你好", msg_id=msg_id, create_time=now,
                       agent_id=wecom.api.agent_id)  # fmt: skip
        query, body = wecom.signer.envelope(xml, str(now), wecom.api.agent_id)
        callbacks.append(Callback(query, body))
        marks.append(seen_key(f"wecom:msg:{msg_id}"))
    return callbacks, marks


def enter_agent(wecom: FakeWeComServer, n: int) -> list[Callback]:
    """``n`` ``enter_agent`` events (the member opened the app): acknowledged, nothing to apply."""
    now = int(time.time())
    callbacks = []
    for i in range(n):
        xml = (
            f"<xml><ToUserName>{cdata(wecom.api.corp_id)}</ToUserName><FromUserName>{cdata(USER)}"
            f"</FromUserName><CreateTime>{now + i % 7}</CreateTime><MsgType>{cdata('event')}</MsgType>"
            f"<Event>{cdata('enter_agent')}</Event><EventKey>{cdata('')}</EventKey>"
            f"<AgentID>{wecom.api.agent_id}</AgentID></xml>"
        )
        query, body = wecom.signer.envelope(xml, str(now), wecom.api.agent_id)
        callbacks.append(Callback(query, body))
    return callbacks


async def measured(
    workdir: Path, server: TijiServe, requests: Sequence[tuple[str, Callback]], concurrency: int, what: str
) -> Figure:
    before = cpu_seconds(server.pid)
    result = await load_in(workdir, server.base_url, requests, concurrency)
    return Figure(what, result, cpu_seconds(server.pid) - before)


async def load_in(
    workdir: Path, base_url: str, requests: Sequence[tuple[str, Callback]], concurrency: int
) -> Load:
    """``bench.load`` in a process of its own, ``concurrency`` requests in flight."""
    spec = {
        "base_url": base_url,
        "mode": "closed",
        "concurrency": concurrency,
        "rate": 0,
        "requests": [
            {"path": path, "query": c.query, "body": base64.b64encode(c.body).decode()}
            for path, c in requests
        ],
    }
    spec_path, out_path = workdir / "load-spec.json", workdir / "load-out.json"
    spec_path.write_text(json.dumps(spec))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.load", str(spec_path), str(out_path), cwd=ROOT
    )
    if await proc.wait() != 0:
        raise RuntimeError("the load generator failed")
    result = json.loads(out_path.read_text())
    return Load(result["elapsed"], result["latencies"], result["statuses"])


async def tiji_round(
    workdir: Path, web: TijiServe, wecom: FakeWeComServer, redis: Redis, kind: str, concurrency: int, n: int
) -> Figure:
    """``n`` callbacks of ``kind`` to ``web`` (its name says which checkout)."""
    if kind == "duplicate":
        callbacks, marks = duplicates(wecom, n)
        async with redis.pipeline(transaction=False) as pipe:
            for mark in marks:
                pipe.set(mark, "1", ex=3600)
            await pipe.execute()
    else:
        callbacks = enter_agent(wecom, n)
    return await measured(
        workdir, web, [(CALLBACK, c) for c in callbacks], concurrency, f"{web.name} {kind} @{concurrency}"
    )


async def profile(pid: int, seconds: int, out: Path) -> asyncio.subprocess.Process | None:
    spy = shutil.which("py-spy") or shutil.which("py-spy", path=os.path.dirname(sys.executable))
    if spy is None:
        print("py-spy not installed: no profile", file=sys.stderr)
        return None
    return await asyncio.create_subprocess_exec(
        spy, "record", "--pid", str(pid), "--duration", str(seconds), "--format", "raw",
        "--output", str(out), "--nonblocking",
    )  # fmt: skip


@dataclass
class Servers:
    reference: TijiServe
    tijis: list[TijiServe]  # the baseline first, if any
    wecom: FakeWeComServer
    redis: Redis


async def round_at(workdir: Path, s: Servers, concurrency: int, args: argparse.Namespace) -> list[Figure]:
    """The reference, then each kind on each tiji (the baseline first), all at ``concurrency``."""
    bodies = [("/insert", Callback({}, c.body)) for c in enter_agent(s.wecom, args.requests)]
    figures = [await measured(workdir, s.reference, bodies, concurrency, f"reference INSERT @{concurrency}")]
    print(figures[-1].line(), file=sys.stderr, flush=True)
    for kind, server in itertools.product(args.kinds, s.tijis):
        spy = None
        if args.profile_seconds and kind == "duplicate" and concurrency == args.concurrency[0]:
            spy = await profile(
                server.pid, args.profile_seconds, args.out / f"fastpath-profile-{server.name}.txt"
            )
        figures.append(await tiji_round(workdir, server, s.wecom, s.redis, kind, concurrency, args.requests))
        print(figures[-1].line(), file=sys.stderr, flush=True)
        if spy is not None:
            await spy.wait()
    return figures


async def rounds(workdir: Path, database_url: str, args: argparse.Namespace) -> list[Figure]:
    await prepare_database(database_url, workdir / "setup")
    figures: list[Figure] = []
    async with RedisServer.in_dir(workdir, appendonly=False) as redis_server, FakeWeComServer() as wecom:
        env = tiji_env(workdir / "web", database_url=database_url, redis_url=redis_server.url, wecom=wecom)
        tijis = [serve(workdir, env, name="tiji")]
        if args.baseline:
            base = serve(workdir, env, name="baseline")
            base.argv = ["env", "-C", str(args.baseline), *base.argv]  # env execs: the same pid
            tijis.insert(0, base)
        port = free_port()
        reference = TijiServe(
            "reference",
            [sys.executable, "-m", "bench.reference", "--database-url", database_url, "--port", str(port)],
            env, workdir / "reference.log", port=port,
        )  # fmt: skip
        s = Servers(reference, tijis, wecom, Redis.from_url(redis_server.url))
        try:
            for process in (*tijis, reference):
                await process.start()
            for server in tijis:  # warm-up: wechatpy's import
                await tiji_round(workdir, server, wecom, s.redis, "enter_agent", 4, 50)
            for concurrency in args.concurrency:
                figures += await round_at(workdir, s, concurrency, args)
        finally:
            await s.redis.aclose()
            for process in (reference, *tijis):
                await process.stop()
                shutil.copy(process.log_path, args.out / f"fastpath-{process.name}.log")
    return figures


async def bench(args: argparse.Namespace) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="tiji-fastpath-") as tmp:
        async with bench_database(None, args.admin_url) as url:
            return await rounds(Path(tmp), url, args)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fastpath", description=__doc__.split("\n")[0])
    parser.add_argument("--admin-url", default=ADMIN_URL)
    parser.add_argument("--requests", type=int, default=REQUESTS, help="requests per run")
    parser.add_argument("--concurrency", type=int, nargs="+", default=list(CONCURRENCIES))
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS))
    parser.add_argument("--baseline", type=Path, help="another checkout's tiji, measured alongside")
    parser.add_argument("--profile-seconds", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args(argv)
    figures = asyncio.run(bench(args))
    print("\n".join(f.line() for f in figures))
    reference = {f.what.rsplit("@", 1)[1]: f for f in figures if f.what.startswith("reference")}
    for f in figures:
        if not f.what.startswith("reference"):
            ref = reference[f.what.rsplit("@", 1)[1]]
            print(f"{f.what}: {f.load.per_second / ref.load.per_second:.0%} of the reference's req/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
