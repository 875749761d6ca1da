import pytest

from services.initiatives.service import InitiativesSettings, build
from tests.conftest import eventually
from tests.support.initiatives import Desk, FundSetup, Streams


@pytest.fixture
def initiatives_settings(settings):
    return InitiativesSettings(**settings.model_dump(), parked_gauge_interval_s=0.2)


@pytest.fixture
async def initiatives(initiatives_settings, nc):
    service = build(initiatives_settings)
    await service.start()
    yield service
    await service.stop()


@pytest.fixture
def desk(initiatives, nc):
    return Desk(nc, initiatives.naming)


@pytest.fixture
def streams(initiatives, nc):
    return Streams(nc, initiatives.naming, initiatives.settings)


@pytest.fixture
async def fund(streams, initiatives) -> FundSetup:
    """A fund the budget service has published, and the initiatives service has seen."""
    setup = FundSetup()
    await streams.publish(setup.created())
    await eventually(
        lambda: initiatives.pool.fetchval(
            "SELECT count(*) = 3 FROM earmarks WHERE fund_id = $1", setup.fund_id
        )
    )
    return setup
