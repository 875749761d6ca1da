"""The portal's own rules, with no I/O: who is acting and what a policy allows them
(`access`), reading forms (`forms`), tokens and throttling (`security`), charts (`charts`).
Business rules stay in the services."""

from .access import (
    DESK_ROLES,
    MEMBER_ROLES,
    PERSON_ROLES,
    PUBLIC,
    Account,
    SignedIn,
    actor_for,
    may,
    refusal,
)
from .charts import Bar, bar_chart
from .forms import (
    CODE_FIELD,
    FieldError,
    end_of_day_utc,
    field_errors,
    format_minutes,
    parse_date,
    parse_minutes,
)
from .security import csrf_ok, csrf_token, new_token, throttled, token_hash

__all__ = [
    "CODE_FIELD",
    "DESK_ROLES",
    "MEMBER_ROLES",
    "PERSON_ROLES",
    "PUBLIC",
    "Account",
    "Bar",
    "FieldError",
    "SignedIn",
    "actor_for",
    "bar_chart",
    "csrf_ok",
    "csrf_token",
    "end_of_day_utc",
    "field_errors",
    "format_minutes",
    "may",
    "new_token",
    "parse_date",
    "parse_minutes",
    "refusal",
    "throttled",
    "token_hash",
]
