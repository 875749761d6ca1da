"""The sample service of `tests/support/sample.py`, started in the test's event loop."""

from __future__ import annotations

import pytest

from kit.client import ServiceClient
from tests.support.sample import ALICE, build


@pytest.fixture
async def sample(settings, nc):
    service = build(settings)
    await service.start()
    yield service
    await service.stop()


@pytest.fixture
def client(nc, sample):
    return ServiceClient(nc, sample.naming, ALICE)
