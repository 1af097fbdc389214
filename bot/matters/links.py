"""Where a person can see a matter: its page under the public URL when one is set, else 查询.

A link from a card or a message goes through the sign-in page (``/m/signin?next=…``), which signs
the person in where they are (WeCom's OAuth, DingTalk's free login) and then opens the page; when
they are already signed in it goes straight on.
"""

from __future__ import annotations

from urllib.parse import quote

from bot.cards import CardLink
from bot.settings import Settings

MATTER_PAGE = "/m/matters/{number}"
TODO_PAGE = "/m/todo"
SIGNIN_PAGE = "/m/signin"  # bot.web.sessions.SIGNIN_PATH (the domain does not import the web layer)
DETAIL_LABEL = "详情 / 填写意见"
TODO_LABEL = "打开我的待办"


def signed_in_path(path: str) -> str:
    """``/m/signin?next=<path>``: the page ``path`` opened through the sign-in."""
    return f"{SIGNIN_PAGE}?next={quote(path, safe='/')}"


def page_url(settings: Settings, path: str) -> str | None:
    """The absolute link to the page ``path`` through the sign-in, or None without a public URL."""
    if not settings.public_url:
        return None
    return settings.public_url.rstrip("/") + signed_in_path(path)


def matter_url(settings: Settings, number: str) -> str | None:
    """The matter's page (``TIJI_PUBLIC_URL/m/signin?next=/m/matters/TJ-2026-0001``), or None
    without a public URL."""
    return page_url(settings, MATTER_PAGE.format(number=number))


def card_link(settings: Settings, label: str, path: str) -> tuple[CardLink, ...]:
    """The link a card carries to ``path``: absolute under the public URL; relative in the
    simulator (the simulator's page opens it as the conversation's person); none otherwise."""
    url = page_url(settings, path)
    if url is None and settings.simulator:
        url = signed_in_path(path)
    return () if url is None else (CardLink(label, url),)


def matter_links(settings: Settings, number: str) -> tuple[CardLink, ...]:
    """“详情 / 填写意见” → the matter's page (every decision card carries it)."""
    return card_link(settings, DETAIL_LABEL, MATTER_PAGE.format(number=number))


def todo_links(settings: Settings) -> tuple[CardLink, ...]:
    """“打开我的待办” → ``/m/todo`` (the morning card)."""
    return card_link(settings, TODO_LABEL, TODO_PAGE)


def where_to_see(settings: Settings, number: str) -> str:
    """One line for a message: the link when there is one, and always the chat command."""
    url = matter_url(settings, number)
    command = f"发送“查询 {number}”查看详情"
    return f"查看事项：{url}（或{command}）" if url else f"{command}。"
