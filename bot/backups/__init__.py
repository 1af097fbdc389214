"""Backups of one organisation: `tiji backup` writes every row it owns as JSON lines, `tiji restore`
reads them back into an empty database (or one without it), verifying the file and the audit chain
first and storing nothing if anything is wrong."""

from bot.backups.archive import FORMAT, VERSION, BackupError
from bot.backups.backup import write_backup
from bot.backups.restore import RestoreReport, restore_backup

__all__ = ["FORMAT", "VERSION", "BackupError", "RestoreReport", "restore_backup", "write_backup"]
