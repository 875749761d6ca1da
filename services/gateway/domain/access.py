"""Who is acting: the signed-in account as an `Actor`, and whether a contract's `Policy`
lets that actor perform an operation. The policy is the one declared beside each operation in
`contracts/` (the same the services enforce); the portal asks it before sending anything, for
every page and every API call, and to decide which links and buttons to show."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from contracts import ROLES, Actor, Contract, OperationSpec

PERSON_ROLES = tuple(role for role in ROLES if role not in ("system", "public"))
"""Roles an account can have; `public` is whoever is not signed in."""

MEMBER_ROLES = frozenset({"resident", "organisation"})
"""Roles whose account is a time-bank member (their actor id is the member id)."""

DESK_ROLES = frozenset({"coordinator", "operator"})
"""Roles that get the coordinator desk."""

PUBLIC = Actor(role="public", id="public")


@dataclass(frozen=True)
class Account:
    """A person who can sign in. `member_id` links a resident or organisation to the time
    bank once registered; `scopes` are the communities a coordinator serves (`"*"`: all)."""

    id: UUID
    email: str
    name: str
    role: str
    member_id: UUID | None = None
    community: str | None = None
    scopes: tuple[str, ...] = ()
    language: str = "nl"
    password_hash: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class SignedIn:
    """A session: the account, and the member a coordinator is acting for (not online)."""

    account: Account
    on_behalf_of: UUID | None = None

    @property
    def actor(self) -> Actor:
        return actor_for(self.account, self.on_behalf_of)

    @property
    def member_id(self) -> UUID | None:
        """Whose account the member pages show: the member acted for, else one's own."""
        return self.on_behalf_of or self.account.member_id

    @property
    def at_desk(self) -> bool:
        return self.account.role in DESK_ROLES


def actor_for(account: Account, on_behalf_of: UUID | None = None) -> Actor:
    """The actor the services see. A member acts as its member id (the `own` field of a
    policy must equal it); staff act as their account id, with their scopes, and a
    coordinator acting for a member who is not online carries that member in `on_behalf_of`."""
    if account.role in MEMBER_ROLES and account.member_id is not None:
        actor_id = str(account.member_id)
    else:
        actor_id = str(account.id)
    acting_for = str(on_behalf_of) if on_behalf_of and account.role in DESK_ROLES else None
    return Actor(
        role=account.role, id=actor_id, scopes=tuple(account.scopes), on_behalf_of=acting_for
    )


def refusal(actor: Actor, spec: OperationSpec, request: Contract | None = None) -> str | None:
    """None when `actor` may perform `spec` (with `request`, when known); else why not.

    Without a request only the roles are checked (for showing a link); with one, the whole
    policy: `own` (a member acts only as itself) and `scope` (staff only in their scopes)."""
    policy = spec.policy
    if request is None:
        return None if actor.role in policy.roles else f"role {actor.role} may not do this"
    return policy.refusal(actor, request)


def may(actor: Actor, spec: OperationSpec, request: Contract | None = None) -> bool:
    return refusal(actor, spec, request) is None
