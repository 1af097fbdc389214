"""Where a person can see a matter: its page under the public URL when one is set, else 查询."""

from __future__ import annotations

from bot.settings import Settings

MATTER_PAGE = "/m/matters/{number}"


def matter_url(settings: Settings, number: str) -> str | None:
    """The matter's page (``TIJI_PUBLIC_URL`` + ``/m/matters/TJ-2026-0001``), or None without a public URL."""
    if not settings.public_url:
        return None
    return settings.public_url.rstrip("/") + MATTER_PAGE.format(number=number)


def where_to_see(settings: Settings, number: str) -> str:
    """One line for a message: the link when there is one, and always the chat command."""
    url = matter_url(settings, number)
    command = f"发送“查询 {number}”查看详情"
    return f"查看事项：{url}（或{command}）" if url else f"{command}。"
