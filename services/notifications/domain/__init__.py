"""The notification rules, pure: which events tell whom what (`RULES`), who receives each
message on which channel and in which language (`deliveries`), and when things are due
(retries, the daily digest, retention). No I/O; the handlers look things up and store."""

from .audience import covers, deliveries, people_named, stand_ins_needed
from .kinds import DIGEST, KINDS
from .model import (
    CHANNELS,
    DEFAULT_LANGUAGE,
    DEFAULT_TIME_ZONE,
    DEFAULTS,
    Audience,
    Channel,
    Contact,
    Delivery,
    Language,
    Notice,
    Person,
    Preferences,
    Staff,
)
from .schedule import RetryPolicy, digest_day, digest_event_id, retention_cutoff, zone

__all__ = [
    "CHANNELS",
    "DEFAULTS",
    "DEFAULT_LANGUAGE",
    "DEFAULT_TIME_ZONE",
    "DIGEST",
    "KINDS",
    "Audience",
    "Channel",
    "Contact",
    "Delivery",
    "Language",
    "Notice",
    "Person",
    "Preferences",
    "RetryPolicy",
    "Staff",
    "covers",
    "deliveries",
    "digest_day",
    "digest_event_id",
    "people_named",
    "retention_cutoff",
    "stand_ins_needed",
    "zone",
]
