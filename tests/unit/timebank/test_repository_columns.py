"""The repository builds accounts, exchanges and transfers from rows by position on the hot
path: its column lists must name the domain's fields in their order."""

from __future__ import annotations

import dataclasses

import pytest

from services.timebank import repository
from services.timebank.domain import Account, Exchange, Transfer


@pytest.mark.parametrize(
    ("columns", "model"),
    [
        (repository._ACCOUNT_FIELDS, Account),
        (repository._EXCHANGE_FIELDS, Exchange),
        (repository._TRANSFER_FIELDS, Transfer),
    ],
)
def test_column_lists_name_the_fields_in_order(columns, model):
    assert columns == tuple(f.name for f in dataclasses.fields(model))
