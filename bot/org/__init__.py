"""The org file (``org.yaml``) ⇄ the database: parse and check it, import it, export it."""

from bot.org.checks import OrgFileProblem
from bot.org.exporter import OrgExportError, export_org
from bot.org.importer import import_org
from bot.org.report import ImportReport
from bot.org.schema import OrgFile
from bot.org.validation import OrgFileError, parse_org

__all__ = [
    "ImportReport",
    "OrgExportError",
    "OrgFile",
    "OrgFileError",
    "OrgFileProblem",
    "export_org",
    "import_org",
    "parse_org",
]
