"""Putting outbox rows on the arq queue: in batches, one ``deliver_batch`` job per chunk of rows.

One job per row costs arq about eight Redis round trips on top of the delivery; a job per chunk of
``BATCH_SIZE`` rows sends them concurrently and spends that once, which is what lets one worker
keep up with hundreds of messages a second. Duplicate jobs for a row are harmless (the delivery
claim sends it once), so the ids only keep a nudge or a sweep from being queued twice.
"""

from __future__ import annotations

from collections.abc import Sequence

from arq.connections import ArqRedis

BATCH_SIZE = 50


async def enqueue_deliveries(arq: ArqRedis, ids: Sequence[int], *, key: str) -> int:
    """Queue ``ids`` in chunks under job ids ``{key}:{first}-{last}``; returns the jobs queued."""
    queued = 0
    for start in range(0, len(ids), BATCH_SIZE):
        chunk = list(ids[start : start + BATCH_SIZE])
        job = await arq.enqueue_job(
            "deliver_batch", chunk, _job_id=f"{key}:{chunk[0]}-{chunk[-1]}:{len(chunk)}"
        )
        queued += job is not None
    return queued
