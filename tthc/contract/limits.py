"""The contract's size limits for form files (raw-contract §1.2), checked before any parser runs."""

from __future__ import annotations

FORM_FILE_BYTES = 50 * 1024 * 1024  # a form file (.csv, .xlsx, .xls) or an index snapshot (.json) on disk
WORKBOOK_UNPACKED_BYTES = 500 * 1024 * 1024  # an .xlsx workbook's parts, unpacked
ROW_COLUMNS = 1_000  # cells in one row
FIELD_CHARS = 1024 * 1024  # characters in one field
SHEET_ROWS = 1_048_576  # Excel's last row
SHEET_COLUMNS = 16_384  # Excel's last column (XFD)


def megabytes(n: int) -> str:
    """A size as a clerk reads it: "52.3 MB"."""
    return f"{n / 1024 / 1024:,.1f} MB"
