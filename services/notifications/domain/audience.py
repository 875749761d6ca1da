"""From notices to deliveries: who actually gets a message, on which channels, in which
language. Pure: the caller looks up the contacts, staff and preferences first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from uuid import UUID

from .model import CHANNELS, DEFAULTS, Contact, Delivery, Notice, Person, Preferences, Staff

CBS_DIGITS = {"GM": 4, "WK": 6, "BU": 8}
"""CBS area codes: gemeente GM + 4 digits, wijk WK + 6, buurt BU + 8; each level's digits start
with its parent's (source: CBS, Wijk- en Buurtkaart, code structure)."""


def covers(scope: str, where: str) -> bool:
    """Whether a staff scope includes `where`: `*` everything; the same code; or, for CBS
    codes, a coarser area containing it (wijk WK093501 covers buurt BU09350101)."""
    if scope in ("*", where):
        return True
    s_level, w_level = CBS_DIGITS.get(scope[:2]), CBS_DIGITS.get(where[:2])
    if s_level is None or w_level is None or s_level >= w_level:
        return False
    return where[2:].startswith(scope[2:]) and len(scope) == s_level + 2


def people_named(notices: Iterable[Notice]) -> set[str]:
    """Person ids whose contact the notices need: addressees and the people they mention."""
    ids: set[str] = set()
    for notice in notices:
        if isinstance(notice.audience, Person):
            ids.add(notice.audience.id)
        ids.update(notice.mentions.values())
    return ids


def stand_ins_needed(contacts: Mapping[str, Contact]) -> set[str]:
    """Who stands in for the people here who are not online (their contacts are needed too)."""
    return {c.stand_in for c in contacts.values() if not c.online and c.stand_in}


def deliveries(
    event_id: UUID,
    notices: Iterable[Notice],
    contacts: Mapping[str, Contact],
    staff: Mapping[Staff, list[Contact]],
    preferences: Mapping[str, Preferences],
) -> list[Delivery]:
    """Every message the notices lead to, once per (event, recipient, channel).

    A person who is not online is not told; their stand-in is, with `for_name` naming them
    (nobody is told if they have no stand-in). A person with no known contact yet (their
    member event may come later) gets an e-mail whose address is looked up when it is sent.
    The e-mail channel needs an address; a (kind, channel) switched off is left out; an
    e-mail of a person who chose the digest is held for it.
    """
    out: dict[tuple, Delivery] = {}
    for notice in notices:
        params = dict(notice.params)
        for name, person_id in notice.mentions.items():
            mentioned = contacts.get(person_id)
            params[name] = mentioned.name if mentioned else None
        for recipient, target, extra in _targets(notice, contacts, staff):
            prefs = preferences.get(target.person_id, DEFAULTS)
            for channel in CHANNELS:
                if not prefs.wants(notice.kind, channel):
                    continue
                if channel == "email" and not (target.email or target.person_id not in contacts):
                    continue
                delivery = Delivery(
                    event_id=event_id,
                    recipient=recipient,
                    deliver_to=target.person_id,
                    channel=channel,
                    kind=notice.kind,
                    language=target.language,
                    params={**params, **extra},
                    held=channel == "email" and prefs.digest,
                )
                out.setdefault(delivery.key, delivery)
    return list(out.values())


def _targets(notice: Notice, contacts: Mapping[str, Contact], staff: Mapping[Staff, list[Contact]]):
    """(recipient id, contact to deliver to, extra params) for each person the notice reaches."""
    audience = notice.audience
    if isinstance(audience, Staff):
        for member in staff.get(audience, ()):
            yield member.person_id, member, {}
        return
    contact = contacts.get(audience.id) or Contact(audience.id)
    if contact.online:
        yield audience.id, contact, {}
    elif contact.stand_in:
        stand_in = contacts.get(contact.stand_in) or Contact(contact.stand_in)
        yield audience.id, stand_in, {"for_name": contact.name}
