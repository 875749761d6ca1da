"""The time bank's name and error codes (Dutch and English): what every part of its
interface registers with."""

from __future__ import annotations

from ..errors import COMMON_ERRORS, ErrorCatalogue
from ..ledger import LEDGER_ERRORS
from ..registry import ServiceContracts

ERRORS = COMMON_ERRORS.merged(LEDGER_ERRORS).merged(
    ErrorCatalogue(
        {
            "unknown_community": (
                "Deze tijdbank bestaat niet: {community}.",
                "This time bank does not exist: {community}.",
            ),
            "unknown_unit": (
                "Deze eenheid wordt in deze tijdbank niet gebruikt: {unit}.",
                "This unit is not used in this time bank: {unit}.",
            ),
            "not_a_member": (
                "Deze persoon is geen actief lid van de tijdbank.",
                "This person is not an active member of the time bank.",
            ),
            "member_not_active": (
                "Het lid is niet actief (status: {state}).",
                "The member is not active (state: {state}).",
            ),
            "invalid_member_state": (
                "Dit kan niet bij een lid met status {state}.",
                "This is not possible for a member in state {state}.",
            ),
            "not_your_account": (
                "Dit is niet uw rekening of uitwisseling.",
                "This is not your account or exchange.",
            ),
            "coordinator_only": (
                "Alleen een tijdbank-makelaar mag dit doen.",
                "Only a coordinator may do this.",
            ),
            "listing_closed": (
                "Deze advertentie is gesloten of verlopen.",
                "This listing is closed or has expired.",
            ),
            "own_listing": (
                "U kunt niet op uw eigen advertentie reageren.",
                "You cannot answer your own listing.",
            ),
            "invalid_expiry": (
                "De vervaldatum moet in de toekomst liggen (uiterlijk over een jaar).",
                "The expiry must be in the future (at most a year ahead).",
            ),
            "exchange_not_open": (
                "Deze uitwisseling kan dit niet meer (status: {state}).",
                "This exchange can no longer do this (state: {state}).",
            ),
            "exchange_already_confirmed": (
                "Deze uitwisseling is al bevestigd.",
                "This exchange has already been confirmed.",
            ),
            "not_disputed": (
                "Deze uitwisseling is niet betwist.",
                "This exchange is not disputed.",
            ),
            "pending_transfers": (
                "Er staan nog uitwisselingen open; rond die eerst af.",
                "There are open exchanges; settle them first.",
            ),
        }
    )
)

TIMEBANK = ServiceContracts("timebank", errors=ERRORS)
