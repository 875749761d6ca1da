"""The initiatives service's registry and error codes (Dutch B1 and English)."""

from __future__ import annotations

from ..errors import COMMON_ERRORS, ErrorCatalogue
from ..registry import ServiceContracts

ERRORS = COMMON_ERRORS.merged(
    ErrorCatalogue(
        {
            "not_your_application": (
                "Dit is niet uw aanvraag.",
                "This is not your application.",
            ),
            "invalid_state": (
                "Dit kan niet bij een aanvraag met status {state}.",
                "This is not possible for an application in state {state}.",
            ),
            "unknown_fund": (
                "Dit fonds of potje is (nog) niet open voor aanvragen.",
                "This fund or earmark is not (yet) open for applications.",
            ),
            "screening_failed": (
                "De aanvraag past nog niet bij de regels van het fonds. Pas {count} punt(en) "
                "aan; er is niets ingediend.",
                "The application does not yet meet the fund's rules. Change {count} point(s); "
                "nothing was submitted.",
            ),
            "round_closed": (
                "De stemronde is al gesloten; intrekken kan niet meer.",
                "The ballot round has closed; the application can no longer be withdrawn.",
            ),
            "neighbourhood_mismatch": (
                "Deze aanvraag hoort bij wijk {actual}, niet bij {given}.",
                "This application belongs to neighbourhood {actual}, not {given}.",
            ),
            "unknown_meeting": (
                "Dit overleg is niet gevonden in deze wijk.",
                "This meeting was not found in this neighbourhood.",
            ),
            "not_a_participant": (
                "U staat niet op de lijst van dit overleg.",
                "You are not listed as taking part in this meeting.",
            ),
            "unknown_criterion": (
                "Dit fonds kent het criterium {criterion} niet.",
                "This fund has no criterion {criterion}.",
            ),
            "criteria_incomplete": (
                "Beoordeel elk criterium van het fonds; nog open: {missing}.",
                "Assess every criterion of the fund; still open: {missing}.",
            ),
            "not_reviewed": (
                "Er is nog geen beoordeling vastgelegd. Beoordeel de aanvraag eerst.",
                "No review has been recorded yet. Review the application first.",
            ),
            "path_not_allowed": (
                "Dit potje beslist niet op deze manier ({path}).",
                "This earmark does not decide this way ({path}).",
            ),
            "amount_required": (
                "Geef het bedrag dat u toekent.",
                "Give the amount you grant.",
            ),
            "amount_above_request": (
                "Het bedrag is hoger dan gevraagd ({requested}).",
                "The amount is higher than requested ({requested}).",
            ),
            "over_max_per_application": (
                "Het bedrag is hoger dan dit potje per aanvraag geeft ({maximum}).",
                "The amount is higher than this earmark gives per application ({maximum}).",
            ),
            "over_discretionary_limit": (
                "Dit gaat boven uw handgeld voor {period}: er is nog {remaining} over.",
                "This exceeds your discretionary limit for {period}: {remaining} is left.",
            ),
            "unknown_budget_line": (
                "Regel {line} staat niet in de begroting van de aanvraag.",
                "Line {line} is not in the application's budget.",
            ),
            "report_lines_missing": (
                "Geef voor elke begrotingsregel wat er echt is uitgegeven; nog open: {missing}.",
                "Give what was actually spent on every budget line; still open: {missing}.",
            ),
        }
    )
)

INITIATIVES = ServiceContracts("initiatives", errors=ERRORS)
"""The initiatives service's published interface."""
