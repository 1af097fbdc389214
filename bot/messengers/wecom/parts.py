"""What WeCom accepts in one message: markdown cut to its byte limits, robot keys, file sizes."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from bot.outbound import Attachment, DeliveryError

APP_MARKDOWN_BYTES = 2048  # message/send and appchat/send text and markdown content
ROBOT_MARKDOWN_BYTES = 4096
MIN_FILE_BYTES = 5
MAX_FILE_BYTES = 20 * 1024 * 1024  # media/upload and the robots' upload_media, type=file


def split_by_bytes(text: str, limit: int) -> list[str]:
    """``text`` cut at line ends into parts of at most ``limit`` UTF-8 bytes (lines cut if needed)."""
    parts: list[str] = []
    current = ""
    for whole_line in text.splitlines(keepends=True):
        line = whole_line
        while len(line.encode()) > limit:  # one over-long line: cut it by characters
            cut = line
            while len(cut.encode()) > limit:
                cut = cut[: max(1, len(cut) * limit // len(cut.encode()) - 1)]
            if current:
                parts.append(current)
                current = ""
            parts.append(cut)
            line = line[len(cut) :]
        if len((current + line).encode()) > limit:
            parts.append(current)
            current = ""
        current += line
    if current.strip():
        parts.append(current)
    return [p.rstrip("\n") for p in parts if p.strip()] or [""]


def check_file_size(attachment: Attachment) -> None:
    """WeCom takes files of 5 bytes to 20 MB (``media/upload`` and the robots' ``upload_media``)."""
    if not MIN_FILE_BYTES <= attachment.size <= MAX_FILE_BYTES:
        raise DeliveryError(
            f"文件 {attachment.filename}（{attachment.size / 1024 / 1024:.1f} MB）超出企业微信文件大小限制"
            "（5 字节至 20 MB），请在管理后台“季度报表”下载",
            transient=False,
        )


def robot_key(webhook: str) -> str:
    """A group robot key from either the bare key or the full webhook URL."""
    if webhook.startswith(("http://", "https://")):
        keys = parse_qs(urlsplit(webhook).query).get("key")
        if keys:
            return keys[0]
    return webhook.strip()
