"""Vraag en aanbod: publishing, closing and expiring listings."""

from __future__ import annotations

from contracts import new_id
from contracts import timebank as c
from kit.uow import UnitOfWork

from .. import domain
from .common import now, repo_of


async def publish_listing(uow: UnitOfWork, cmd: c.PublishListing) -> c.ListingRef:
    repo = repo_of(uow)
    member = await repo.member(cmd.member_id)
    member.ensure_active()
    domain.Listing.check_expiry(cmd.expires_at, now())
    listing = domain.Listing(
        new_id(),
        member.community,
        member.id,
        cmd.kind,
        cmd.title,
        cmd.description,
        cmd.category,
        cmd.neighbourhood,
        cmd.expires_at,
        cmd.initiative_id,
    )
    await repo.add_listing(listing)
    uow.emit(
        c.ListingPublished(
            listing_id=listing.id,
            community=listing.community,
            member_id=member.id,
            kind=listing.kind,
            title=listing.title,
            category=listing.category,
            neighbourhood=listing.neighbourhood,
            initiative_id=listing.initiative_id,
            expires_at=listing.expires_at,
        ),
    )
    return c.ListingRef(listing_id=listing.id)


async def close_listing(uow: UnitOfWork, cmd: c.ListingRef) -> c.ListingRef:
    repo = repo_of(uow)
    listing = await repo.listing(cmd.listing_id, lock=True)
    domain.require_self_or_coordinator(uow.actor, listing.member_id)
    listing.close()
    await repo.save_listing_state(listing)
    uow.emit(
        c.ListingClosed(listing_id=listing.id, community=listing.community, reason="closed"),
    )
    return cmd


async def expire_listings(uow: UnitOfWork, limit: int = 200) -> int:
    repo = repo_of(uow)
    expired = 0
    for listing in await repo.expired_listings(limit):
        if listing.expire(now()):
            await repo.save_listing_state(listing)
            uow.emit(
                c.ListingClosed(
                    listing_id=listing.id, community=listing.community, reason="expired"
                ),
            )
            expired += 1
    return expired
