"""Rows become accounts, exchanges and transfers by position on the hot path: each column
list must name its dataclass's fields in their order."""

from __future__ import annotations

import dataclasses

import pytest

from ledger import Account, Transfer
from ledger.journal import ACCOUNT_COLUMNS, TRANSFER_COLUMNS
from services.timebank import repository
from services.timebank.domain import Exchange


@pytest.mark.parametrize(
    ("columns", "model"),
    [
        (ACCOUNT_COLUMNS, Account),
        (repository._EXCHANGE_FIELDS, Exchange),
        (TRANSFER_COLUMNS, Transfer),
    ],
)
def test_column_lists_name_the_fields_in_order(columns, model):
    assert columns == tuple(f.name for f in dataclasses.fields(model))
