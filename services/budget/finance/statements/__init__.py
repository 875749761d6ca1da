"""Bank statements from files: CAMT.053 XML (`read_camt053`) and the Dutch banks' CSV exports
(`read_bank_csv`), both into a `Statement` of `StatementLine`s and `BadLine`s."""

from .bank_csv import read_bank_csv
from .camt import camt_entries, read_camt053
from .model import BadLine, Statement, StatementError, StatementLine

__all__ = [
    "BadLine",
    "Statement",
    "StatementError",
    "StatementLine",
    "camt_entries",
    "read_bank_csv",
    "read_camt053",
    "read_statement",
]


def read_statement(kind: str, content: bytes) -> Statement:
    """The statement in `content` of format `kind` (`camt053` or `bank_csv`). Raises
    `StatementError` when the file cannot be read at all."""
    if kind == "camt053":
        return read_camt053(content)
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    return read_bank_csv(text)
