"""The quarterly summary at scale: 1,000,000 matters over 40 sections on PostgreSQL.

Run: ``python -m bench.quarterly [--server-url postgres://postgres@127.0.0.1:5432/postgres]
[--matters 1000000] [--sections 40]``. It creates a database of its own on that server
(``tiji_bench_quarterly_<random>``), migrates it, seeds the matters by SQL
(``INSERT … SELECT generate_series``) with the office's group and one per unit (simulator), runs
the summary the worker posts (`post_digest`: the ``GROUP BY`` figures, the 分析研判, the streamed
汇总表 of each group, the office and unit posts, the report tasks) in a fresh process, prints its
time and memory (the process's own ``VmHWM``), and drops the database it created (and only that one).

`seed_quarter` and `summary_in_child` are the pieces `make bench` can call.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from tortoise import Tortoise

from bench.passes import profiled
from bot.calendar.quarters import Quarter, parse_quarter
from bot.calendar.workdays import load_calendar
from bot.clock import SystemClock
from bot.messengers.registry import build_messengers
from bot.reports.digest import post_digest
from bot.runtime.db import migrate, tortoise_config
from bot.runtime.lifecycle import running_resources
from bot.settings import Settings
from models.enums import GroupKind
from models.org import Department, GroupChannel, Organisation, Person, Unit

ORG_CODE = "bench"
UNITS = 4
# One matter in ten each: most are settled at levels 2-4, some refused, withdrawn or still pending.
SEED_SQL = """
INSERT INTO matter (organisation_id, number, year, seq, unit_id, department_id, submitter_id,
    applicant, applicant_phone, subject, request, reason, policy_basis, co_department_ids, state,
    level, outcome, version, submitted_at, due_at, decided_at, decided_level, decided_hours,
    decision_text, refusal_category, way_forward, replied_at, closed_at, withdrawn_at,
    withdraw_reason, showcase)
SELECT $1, 'BQ-' || g, $2, g, ($3::int[])[1 + g % $6], ($4::int[])[1 + g % $6],
    ($5::int[])[1 + g % $6], '申请人' || g, '13800000000', '道路运输经营许可', '', '材料不全', '',
    '[]',
    CASE WHEN g % 10 < 5 THEN 'closed' WHEN g % 10 = 5 THEN 'refused'
         WHEN g % 10 = 6 THEN 'withdrawn' ELSE 'pending' END,
    CASE WHEN g % 10 < 5 THEN 2 + g % 3 WHEN g % 10 = 5 THEN 4 ELSE 2 END,
    CASE WHEN g % 10 < 5 THEN 'can_do' WHEN g % 10 = 5 THEN 'confirm_no' END,
    1, s.at, s.at + interval '3 days',
    CASE WHEN g % 10 < 6 THEN s.at + interval '2 hours' END,
    CASE WHEN g % 10 < 5 THEN 2 + g % 3 WHEN g % 10 = 5 THEN 4 END,
    CASE WHEN g % 10 < 6 THEN 2 + (g % 17) / 4.0 END,
    '', CASE WHEN g % 10 = 5 THEN 'law' END, '',
    CASE WHEN g % 10 < 5 AND g % 7 > 0 THEN s.at + interval '1 day' END,
    CASE WHEN g % 10 < 5 AND g % 7 > 0 THEN s.at + interval '1 day' END,
    CASE WHEN g % 10 = 6 THEN s.at + interval '1 hour' END,
    CASE WHEN g % 10 = 6 THEN (ARRAY['applicant', 'misreport', 'other'])[1 + g % 3] END,
    false
FROM generate_series(1, $7) AS g,
    LATERAL (SELECT $8::timestamptz + ((g - 1)::float8 / $7) * ($9::timestamptz - $8::timestamptz) AS at) AS s
"""


async def seed_quarter(quarter: Quarter, matters: int, sections: int, tz: Any) -> Organisation:
    """An organisation of ``sections`` sections over `UNITS` units and ``matters`` matters in
    ``quarter`` (PostgreSQL; tortoise initialised on the database to fill)."""
    org = await Organisation.create(code=ORG_CODE, name="基准测试局", default_platform="simulator")
    units = [await Unit.create(organisation=org, code=f"u{i}", name=f"单位{i}") for i in range(UNITS)]
    # Where the summary goes: the office (the whole 汇总表) and each unit (its own), as deployed.
    await GroupChannel.create(organisation=org, code="office", name="活动办公室", kind=GroupKind.OFFICE)
    for unit in units:
        await GroupChannel.create(organisation=org, code=f"g{unit.code}", name=f"{unit.name}群", unit=unit)
    unit_ids, dept_ids, staff_ids = [], [], []
    for i in range(sections):
        unit = units[i % UNITS]
        head = await Person.create(organisation=org, unit=unit, handle=f"h{i}", name=f"股长{i}")
        dept = await Department.create(
            organisation=org, unit=unit, code=f"d{i}", name=f"股室{i}", head_id=head.id
        )
        staff = await Person.create(
            organisation=org, unit=unit, department_id=dept.id, handle=f"s{i}", name=f"科员{i}"
        )
        unit_ids.append(unit.id)
        dept_ids.append(dept.id)
        staff_ids.append(staff.id)
    start, end = quarter.start_at(tz), quarter.end_at(tz)
    connection = Tortoise.get_connection("default")
    args = [org.id, quarter.year, unit_ids, dept_ids, staff_ids, sections, matters, start, end]
    await connection.execute_query(SEED_SQL, args)
    await connection.execute_script("ANALYZE matter")
    return org


def _rss_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


async def _child(database_url: str, data_dir: str, quarter: str) -> dict[str, Any]:
    """In the fresh process: the worker's summary, timed, with this process's memory around it."""
    settings = Settings(_env_file=None, data_dir=Path(data_dir), database_url=database_url)  # type: ignore[call-arg]
    clock = SystemClock()
    async with running_resources(settings, clock, build_messengers) as resources:
        organisation = await Organisation.get(code=ORG_CODE)
        calendar = await load_calendar(settings, organisation.id)
        rss_before = _rss_kib("VmRSS")
        profile = os.environ.get("BENCH_PROFILE_DIR")  # bench.passes.profiled
        with profiled(Path(profile) / f"summary-{quarter}.txt" if profile else None):
            started = time.perf_counter()
            stats = await post_digest(resources, organisation, parse_quarter(quarter), calendar, clock.now())
            elapsed = time.perf_counter() - started
    assert stats is not None, "the summary had already been posted"
    return {
        "seconds": round(elapsed, 2),
        "rss_before_mib": round(rss_before / 1024, 1),
        "peak_rss_mib": round(_rss_kib("VmHWM") / 1024, 1),
        "matters_submitted": stats.totals.submitted,
        "sections": sum(len(u.sections) for u in stats.units),
    }


async def summary_in_child(database_url: str, quarter: Quarter) -> dict[str, Any]:
    """Run the summary in a fresh Python process (as the worker would run it) and return its
    figures: ``seconds`` for `post_digest`, ``peak_rss_mib`` of the whole process (VmHWM)."""
    with tempfile.TemporaryDirectory(prefix="tiji-bench-q-") as data_dir:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.quarterly", "--child", database_url, data_dir, str(quarter),
            stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, _ = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"the summary process failed ({proc.returncode})")
    result: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    return result


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


async def run(server_url: str, matters: int, sections: int, quarter: Quarter) -> dict[str, Any]:
    name = f"tiji_bench_quarterly_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = _with_database(server_url, name)
        try:
            settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
            await migrate(settings)
            await Tortoise.init(config=tortoise_config(url))
            try:
                started = time.perf_counter()
                await seed_quarter(quarter, matters, sections, settings.tz)
                seeded = time.perf_counter() - started
            finally:
                await Tortoise.close_connections()
            result = await summary_in_child(url, quarter)
            result["seed_seconds"] = round(seeded, 1)
            return result
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--matters", type=int, default=1_000_000)
    parser.add_argument("--sections", type=int, default=40)
    parser.add_argument("--quarter", default="2026Q3")
    parser.add_argument("--child", nargs=3, metavar=("DATABASE_URL", "DATA_DIR", "QUARTER"))
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(_child(*args.child))))
        return
    result = asyncio.run(run(args.server_url, args.matters, args.sections, parse_quarter(args.quarter)))
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
