"""The budget service's registry and error codes (Dutch B1 and English)."""

from __future__ import annotations

from ..errors import COMMON_ERRORS, ErrorCatalogue
from ..registry import ServiceContracts

ERRORS = COMMON_ERRORS.merged(
    ErrorCatalogue(
        {
            # funds and earmarks
            "unknown_fund": ("Dit fonds bestaat niet.", "This fund does not exist."),
            "unknown_earmark": (
                "Dit potje bestaat niet in dit fonds.",
                "This earmark does not exist in this fund.",
            ),
            "earmarks_exceed_total": (
                "De potjes samen ({earmarks}) zijn meer dan het fonds ({total}).",
                "The earmarks together ({earmarks}) exceed the fund ({total}).",
            ),
            "earmark_name_taken": (
                "Er is al een potje met de naam {name} in dit fonds.",
                "This fund already has an earmark named {name}.",
            ),
            "insufficient_funds": (
                "Er is niet genoeg geld in dit potje: nog {available} beschikbaar.",
                "There is not enough money in this earmark: {available} is available.",
            ),
            "earmark_below_committed": (
                "Zo komt het potje onder wat al is toegezegd ({committed}).",
                "This would take the earmark below what is already committed ({committed}).",
            ),
            "same_earmark": (
                "Van en naar hetzelfde potje kan niet.",
                "Moving money to the same earmark is not possible.",
            ),
            "transfer_id_conflict": (
                "Dit boekingsnummer is al gebruikt voor een andere boeking.",
                "This transfer id was already used for a different transfer.",
            ),
            "amount_out_of_range": (
                "Dit bedrag past niet: {why}.",
                "This amount does not fit: {why}.",
            ),
            "period_closed": (
                "De periode {period} is afgesloten. Boek een correctie in de open periode.",
                "The period {period} is closed. Book a correction in the open period.",
            ),
            "period_already_closed": (
                "De periode {period} is al afgesloten.",
                "The period {period} is already closed.",
            ),
            "period_not_ended": (
                "De periode {period} is nog niet voorbij.",
                "The period {period} has not ended yet.",
            ),
            # panels, rounds, ballots
            "unknown_panel": ("Dit panel bestaat niet.", "This panel does not exist."),
            "unknown_round": ("Deze stemronde bestaat niet.", "This ballot round does not exist."),
            "round_already_open": (
                "Er is al een open stemronde voor deze wijk en dit potje.",
                "There is already an open ballot round for this neighbourhood and earmark.",
            ),
            "invalid_round_times": (
                "De ronde moet sluiten na de opening, en in de toekomst.",
                "The round must close after it opens, and in the future.",
            ),
            "round_not_open": (
                "Deze stemronde is niet open (status: {state}).",
                "This ballot round is not open (state: {state}).",
            ),
            "round_closed": (
                "De stemronde is gesloten; uw stem telt niet meer mee.",
                "The ballot round has closed; your ballot can no longer be counted.",
            ),
            "round_not_due": (
                "De stemronde sluit pas op {closes_at}.",
                "The ballot round only closes at {closes_at}.",
            ),
            "not_eligible": (
                "U mag in deze ronde niet stemmen: {why}.",
                "You may not vote in this round: {why}.",
            ),
            "too_few_choices": (
                "Kies minstens {minimum} plannen.",
                "Choose at least {minimum} projects.",
            ),
            "too_many_choices": (
                "Kies hoogstens {maximum} plannen.",
                "Choose at most {maximum} projects.",
            ),
            "over_budget": (
                "Uw keuze kost {total}; het budget is {budget}.",
                "Your choice costs {total}; the budget is {budget}.",
            ),
            "over_points": (
                "U gaf {total} punten; u heeft er {points}.",
                "You gave {total} points; you have {points}.",
            ),
            "unknown_project": (
                "Dit plan staat niet in deze stemronde: {project}.",
                "This project is not on this ballot round: {project}.",
            ),
            "ballot_kind_mismatch": (
                "Deze ronde vraagt om {kind}: {what}.",
                "This round asks for {kind}: {what}.",
            ),
            # allocations and finance
            "unknown_allocation": (
                "Deze toekenning bestaat niet.",
                "This allocation does not exist.",
            ),
            "allocation_not_committed": (
                "Deze toekenning is niet (meer) toegezegd (status: {state}).",
                "This allocation is not (or no longer) committed (state: {state}).",
            ),
            "allocation_has_payouts": (
                "Er is al (een deel) uitbetaald; dit kan alleen met een terugbetaling.",
                "Money has already been paid out; this needs a return.",
            ),
            "over_committed": (
                "Meer uitbetalen dan toegezegd kan niet: er is nog {left} over.",
                "Paying more than committed is not possible: {left} is left.",
            ),
            "payout_id_conflict": (
                "Dit betalingsnummer is al gebruikt voor een andere betaling.",
                "This payout id was already used for a different payout.",
            ),
            "unknown_payout": (
                "Deze betaling bestaat niet: {payout}.",
                "This payout does not exist: {payout}.",
            ),
            "payout_not_open": (
                "Betaling {payout} staat al in een batch of is betaald (status: {state}).",
                "Payout {payout} is already in a batch or paid (state: {state}).",
            ),
            "debtor_invalid": (
                "De gegevens van de betalende rekening kloppen niet: {problem}.",
                "The paying account's details are not valid: {problem}.",
            ),
            "statement_malformed": (
                "Het bankafschrift kan niet worden gelezen: {problem}.",
                "The bank statement cannot be read: {problem}.",
            ),
            "statement_file_missing": (
                "Het bestand {name} is niet gevonden of klopt niet met de controlecode.",
                "The file {name} was not found or does not match its checksum.",
            ),
            "return_exceeds_paid": (
                "Er kan niet meer terugkomen dan er is betaald ({paid}).",
                "No more can come back than was paid ({paid}).",
            ),
        }
    )
)

BUDGET = ServiceContracts("budget", errors=ERRORS)
"""The budget service's published interface (funds, rounds, allocations and finance)."""
