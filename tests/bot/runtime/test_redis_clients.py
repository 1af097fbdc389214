"""The app's Redis client answers text; arq's own pool keeps bytes and runs JSON jobs."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.runtime.redis_clients import arq_redis


async def test_the_app_client_answers_text(redis: Redis) -> None:
    await redis.set("tiji:test", "令牌")
    assert await redis.get("tiji:test") == "令牌"


async def test_arq_gets_bytes_and_json_jobs(redis: Redis, redis_server_url: str) -> None:
    arq = arq_redis(redis_server_url)
    try:
        job = await arq.enqueue_job("deliver", 7, _job_id="deliver:7:0")
        assert job is not None
        [queued] = await arq.queued_jobs()  # arq decodes job ids itself: this needs a bytes pool
        assert (queued.function, queued.args, queued.job_id) == (
            "deliver",
            [7],
            "deliver:7:0",
        )  # JSON: a list
        assert isinstance(await arq.get("arq:job:deliver:7:0"), bytes)
    finally:
        await arq.aclose()
