"""What every handler of this service shares: the repository of its unit of work, and saving
an application together with the events it caused and the events parked for it."""

from __future__ import annotations

from contracts import utc_now
from kit.uow import UnitOfWork

from ..domain import Application
from ..repository import Repository


def repo(uow: UnitOfWork) -> Repository:
    return Repository(uow.conn)


async def save(uow: UnitOfWork, repository: Repository, app: Application) -> None:
    """Write the application, then apply what was parked for it and can be applied now."""
    from .budget import retry_parked  # the budget consumer's appliers; imported late: a cycle

    await repository.save(app, uow.actor, utc_now())
    await retry_parked(uow, repository, app)
