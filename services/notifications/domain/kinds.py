"""Every kind of message, with what it is for. A person turns each kind on or off per channel;
every kind has a template in Dutch and in English (tests/unit/notifications/test_templates.py)."""

from __future__ import annotations

KINDS: dict[str, str] = {
    # time bank
    "exchange_proposed": "someone proposes an exchange with you",
    "exchange_agreed": "an exchange is agreed; the hours are reserved",
    "exchange_confirmed": "an exchange is confirmed; the hours are booked",
    "exchange_cancelled": "an exchange is cancelled",
    "exchange_disputed": "an exchange is disputed",
    "exchange_resolved": "a coordinator decided on a disputed exchange",
    "auto_confirm_soon": "an exchange confirms itself in a few days",
    "dispute_to_decide": "coordinators: a dispute waits for a decision",
    "member_applied": "coordinators: someone applied to join",
    "member_approved": "you are a member now",
    "hours_awarded": "hours from the community pot",
    "transfer_reversed": "a transfer of yours was corrected",
}

DIGEST = "digest"
"""The daily e-mail that gathers the held ones; not a kind one can switch off."""
