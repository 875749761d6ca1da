"""Automatic screening of an application against its earmark's rules (issue 11): maximum per
application, eligible neighbourhoods, allowed budget-line kinds, opening and deadline, and the
criteria the applicant must explain. Each finding says, in Dutch and English, what to change.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from contracts import Message
from contracts.initiatives import ApplicationForm, Finding

from .areas import covered
from .funds import Earmark
from .money import euros

KIND_NL = {
    "materials": "materialen",
    "rent": "huur",
    "food": "eten en drinken",
    "promotion": "promotie",
    "fees": "vergoedingen",
    "other": "overig",
}


def _finding(rule: str, field: str, nl: str, en: str) -> Finding:
    return Finding(rule=rule, field=field, message=Message(nl=nl, en=en))


def _day(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%d-%m-%Y %H:%M")


def screen(form: ApplicationForm, earmark: Earmark | None, now: datetime) -> list[Finding]:
    """Every rule `form` does not meet yet; empty when it may be submitted.

    `earmark` is None when the fund or earmark is unknown (not yet published, or another
    fund's): then that is the only finding."""
    if earmark is None or not earmark.active or earmark.fund_id != form.fund_id:
        return [
            _finding(
                "fund_unknown",
                "earmark_id",
                "Dit fonds of potje is (nog) niet open voor aanvragen. Kies een ander potje.",
                "This fund or earmark is not (yet) open for applications. Choose another one.",
            )
        ]
    rules, zone, found = earmark.rules, earmark.time_zone, []
    if rules.opens_at and now < rules.opens_at:
        opens = _day(rules.opens_at, zone)
        found.append(
            _finding(
                "not_open_yet",
                "earmark_id",
                f"Aanvragen kan vanaf {opens}. Dien de aanvraag dan in.",
                f"Applications open at {opens}. Submit it then.",
            )
        )
    if rules.deadline and now > rules.deadline:
        closed = _day(rules.deadline, zone)
        found.append(
            _finding(
                "deadline_passed",
                "earmark_id",
                f"De termijn van dit potje is voorbij ({closed}). Kies een ander potje.",
                f"This earmark's deadline has passed ({closed}). Choose another earmark.",
            )
        )
    if not covered(rules.neighbourhoods, form.neighbourhood):
        found.append(
            _finding(
                "neighbourhood_not_eligible",
                "neighbourhood",
                f"Dit potje is niet voor wijk {form.neighbourhood}. Kies het potje van uw wijk.",
                f"This earmark is not for neighbourhood {form.neighbourhood}. Choose your "
                "neighbourhood's earmark.",
            )
        )
    if not form.budget_lines:
        found.append(
            _finding(
                "no_budget_lines",
                "budget_lines",
                "Zet in de begroting wat u nodig heeft, met een bedrag per regel.",
                "Put what you need in the budget, with an amount per line.",
            )
        )
    for i, line in enumerate(form.budget_lines):
        if line.kind not in rules.budget_line_kinds:
            allowed = ", ".join(KIND_NL[k] for k in rules.budget_line_kinds)
            found.append(
                _finding(
                    "budget_line_kind_not_allowed",
                    f"budget_lines[{i}].kind",
                    f"Regel {line.line}: dit potje betaalt geen {KIND_NL[line.kind]}. "
                    f"Wel: {allowed}. Verander de soort of haal de regel weg.",
                    f"Line {line.line}: this earmark does not pay for {line.kind}. It does pay "
                    f"for: {', '.join(rules.budget_line_kinds)}. Change the kind or remove the "
                    "line.",
                )
            )
    maximum = rules.max_per_application
    if maximum is not None and form.requested > maximum:
        found.append(
            _finding(
                "over_max_per_application",
                "budget_lines",
                f"U vraagt {euros(form.requested)}; dit potje geeft hoogstens {euros(maximum)} "
                f"per aanvraag. Vraag {euros(form.requested - maximum)} minder.",
                f"You ask for {euros(form.requested)}; this earmark gives at most "
                f"{euros(maximum)} per application. Ask for {euros(form.requested - maximum)} "
                "less.",
            )
        )
    if form.starts_on is None or form.ends_on is None:
        found.append(
            _finding(
                "dates_missing",
                "starts_on" if form.starts_on is None else "ends_on",
                "Vul in wanneer het initiatief begint en eindigt.",
                "Fill in when the initiative starts and ends.",
            )
        )
    elif form.ends_on < form.starts_on:
        found.append(
            _finding(
                "dates_order",
                "ends_on",
                "De einddatum ligt voor de begindatum. Verander een van beide.",
                "The end date is before the start date. Change one of them.",
            )
        )
    if not form.description:
        found.append(
            _finding(
                "description_missing",
                "description",
                "Beschrijf wat u wilt doen, voor wie en waarom.",
                "Describe what you want to do, for whom and why.",
            )
        )
    answered = {a.criterion for a in form.criteria}
    codes = {c.code for c in rules.criteria}
    for criterion in rules.criteria:
        if criterion.code not in answered:
            found.append(
                _finding(
                    "criterion_unexplained",
                    f"criteria[{criterion.code}]",
                    f"Leg uit hoe uw initiatief past bij: {criterion.title}.",
                    f"Explain how your initiative meets: {criterion.title}.",
                )
            )
    for i, answer in enumerate(form.criteria):
        if answer.criterion not in codes:
            found.append(
                _finding(
                    "criterion_unknown",
                    f"criteria[{i}].criterion",
                    f"Dit potje kent het criterium {answer.criterion} niet. Haal het weg.",
                    f"This earmark has no criterion {answer.criterion}. Remove it.",
                )
            )
    return found
