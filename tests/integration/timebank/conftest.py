import pytest

from services.timebank.service import TimebankSettings, build
from tests.support.timebank import Bank


@pytest.fixture
async def timebank(settings, nc):
    service = build(TimebankSettings(**settings.model_dump(), sweep_interval_s=3600))
    await service.start()
    yield service
    await service.stop()


@pytest.fixture
async def bank(timebank, nc):
    bank = Bank(timebank, nc)
    await bank.community()
    yield bank
    # Whatever a test did, the ledger's invariants hold at its end.
    assert await bank.violations() == []
