"""The one settings object, built once at start and passed down.

Every environment variable the product reads is a field here (prefix ``TIJI_``). Nothing below this
module reads the environment.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Runtime configuration (environment variables ``TIJI_*`` or a ``.env`` file)."""

    model_config = SettingsConfigDict(env_prefix="TIJI_", env_file=".env", extra="ignore")

    data_dir: Path = Path("./var")
    database_url: str | None = None
    redis_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str | None = Field(
        default=None, description="Base URL the bot is reachable at, for links in messages"
    )
    simulator: bool = False
    session_hours: float = Field(
        default=12.0,
        gt=0,
        description="A phone page sign-in lasts this long, then the platform signs in again",
    )
    org_file: Path | None = None
    timezone: str = "Asia/Shanghai"
    office_start: dt.time = dt.time(8, 30)
    office_end: dt.time = dt.time(17, 30)
    morning_card_at: dt.time = Field(
        default=dt.time(8, 30), description="Working days from this time: each leader's card of open steps"
    )
    reply_working_days: int = 3
    report_working_days: int = 5
    reminder_working_hours: int = 4
    step_working_days: int = Field(
        default=1,
        ge=1,
        description="环节时限: a level's step taking longer counts as 环节超时 (分析研判, 考核)",
    )
    # The public progress lookup (/public/{org}/lookup): every request counts per IP, every
    # number asked about counts per number, known or not (so the limit tells nothing either).
    public_lookups_per_ip_hour: int = Field(default=30, ge=1, description="Lookups an IP may make per hour")
    public_lookups_per_number_hour: int = Field(
        default=10, ge=1, description="Lookups of one matter / complaint number per hour, from anywhere"
    )
    forwarded_for_hops: int = Field(
        default=0,
        ge=0,
        le=5,
        description="Reverse proxies of ours that append X-Forwarded-For (deploy/nginx.conf: 1); 0 trusts none",
    )
    complaint_rework_working_days: int = Field(
        default=5,
        ge=1,
        le=60,
        description="整改时限 of a 发回重办 the complainant's 差评 on the lookup page causes",
    )
    log_level: str = "INFO"
    log_format: Literal["json", "text"] | None = Field(
        default=None, description="json (one object a line, for servers) or text; unset: text for tiji dev"
    )

    # Worker and delivery (the outbox)
    worker_max_jobs: int = Field(default=100, ge=1, description="arq jobs (batches of deliveries) at once")
    worker_concurrency: int = Field(default=40, ge=1, description="Deliveries one worker has in flight")
    worker_poll_delay: float = Field(default=0.02, gt=0, description="Seconds between queue polls")
    worker_grace_seconds: float = Field(
        default=20.0, ge=0, description="On SIGTERM: how long deliveries in flight may finish"
    )
    worker_nice: int = Field(
        default=10,
        ge=0,
        le=19,
        description="The worker's CPU priority below the web's (Unix nice): on a shared machine the"
        " platforms' callbacks are answered first, the stored backlog is applied with the CPU left",
    )
    worker_redis_outage_seconds: float = Field(
        default=120.0, gt=0, description="How long the worker waits for a lost Redis before it exits 1"
    )
    delivery_lease_seconds: float = Field(
        default=40.0,
        ge=5,
        description="A delivery's time limit; a claimed row whose worker died is claimable after it",
    )
    sweep_every_seconds: int = Field(
        default=20, ge=1, le=30, description="How often the sweeper re-queues pending rows (divides a minute)"
    )
    redis_health_check_seconds: int = Field(default=10, ge=1)
    # Inbound events (bot.inbound): stored by the callback, applied by the worker
    inbound_concurrency: int = Field(
        default=20, ge=1, description="Inbound events one worker applies at once (each of another sender)"
    )
    inbound_lease_seconds: float = Field(
        default=30.0, ge=2, description="An inbound event's time limit to apply; claimable again after it"
    )
    inbound_max_attempts: int = Field(
        default=5, ge=1, description="Failed applies of one inbound event before it is marked failed"
    )
    inbound_sweep_seconds: int = Field(
        default=2,
        ge=1,
        le=30,
        description="How often the sweep applies inbound events whose wake-up was lost",
    )

    # WeCom (企业微信)
    wecom_corp_id: str | None = None
    wecom_agent_id: int | None = None
    wecom_secret: str | None = None
    wecom_contacts_secret: str | None = None
    wecom_token: str | None = None
    wecom_aes_key: str | None = None
    wecom_api_base: str = "https://qyapi.weixin.qq.com"
    wecom_robot_key: str | None = None
    wecom_oauth_base: str = Field(
        default="https://open.weixin.qq.com",
        description="Where WeCom's OAuth2 authorize page is (tests: the fake)",
    )
    wecom_login_base: str = Field(
        default="https://login.work.weixin.qq.com",
        description="Where WeCom's web (QR) login for desktop browsers is (the console's sign-in; tests: the fake)",
    )

    # DingTalk (钉钉)
    dingtalk_client_id: str | None = None
    dingtalk_client_secret: str | None = None
    dingtalk_corp_id: str | None = Field(
        default=None, description="The organisation's CorpId (dingxxxx): the pages' free login asks for it"
    )
    dingtalk_robot_code: str | None = None
    dingtalk_card_template_id: str | None = None
    dingtalk_mode: Literal["stream", "http"] = "stream"
    dingtalk_api_base: str = "https://api.dingtalk.com"
    dingtalk_oapi_base: str = "https://oapi.dingtalk.com"
    dingtalk_login_base: str = Field(
        default="https://login.dingtalk.com",
        description="Where DingTalk's web (QR) login for desktop browsers is (the console's sign-in; tests: the fake)",
    )
    dingtalk_robot_webhook: str | None = None
    dingtalk_robot_webhook_secret: str | None = None
    dingtalk_disconnect_alert_seconds: int = 300

    # The public pages (/public/…): the complaint form's limits against floods and bots
    public_complaints_per_ip_hour: int = Field(
        default=5, ge=1, description="Complaints one IP may send an hour"
    )
    public_complaints_per_phone_day: int = Field(
        default=3, ge=1, description="Complaints one phone may send a day"
    )
    public_form_min_seconds: int = Field(
        default=3,
        ge=0,
        description="A complaint sent sooner after the form was shown is a bot's (not stored)",
    )

    # Operations: health, readiness and metrics
    metrics_port: int | None = Field(
        default=None,
        description="tiji worker / dingtalk-stream serve /healthz, /readyz and /metrics on this port",
    )
    heartbeat_seconds: float = Field(default=10.0, gt=0, description="How often a worker says it is alive")
    heartbeat_stale_seconds: float = Field(
        default=60.0, gt=0, description="A worker silent this long counts as stopped (/readyz, tiji doctor)"
    )

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        ZoneInfo(value)  # raises for an unknown zone
        return value

    @field_validator("sweep_every_seconds", "inbound_sweep_seconds")
    @classmethod
    def _divides_a_minute(cls, value: int) -> int:
        if 60 % value:
            raise ValueError("must divide 60 (1, 2, 3, 4, 5, 6, 10, 12, 15, 20 or 30)")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def effective_database_url(self) -> str:
        """The configured database, or SQLite under the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite://{(self.data_dir / 'tiji.sqlite3').resolve()}"

    @property
    def wecom_enabled(self) -> bool:
        return bool(self.wecom_corp_id and self.wecom_secret and self.wecom_agent_id)

    @property
    def dingtalk_enabled(self) -> bool:
        return bool(self.dingtalk_client_id and self.dingtalk_client_secret)
