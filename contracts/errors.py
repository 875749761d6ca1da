"""The error codes every service may reply with, in Dutch and English.

Service-specific codes live next to their service's contracts; these are the shared ones.
"""

from __future__ import annotations

from .envelope import Error, Message


class ErrorCatalogue:
    """Stable codes with their messages; a code never changes meaning once published."""

    def __init__(self, entries: dict[str, tuple[str, str]]):
        self._entries = dict(entries)

    def __contains__(self, code: str) -> bool:
        return code in self._entries

    def __iter__(self):
        return iter(self._entries)

    def templates(self) -> dict[str, tuple[str, str]]:
        """Each code's (Dutch, English) message before its placeholders are filled."""
        return dict(self._entries)

    def error(self, code: str, details: dict | None = None, **fmt: object) -> Error:
        """The error `code` with its placeholders filled from `fmt`; a `Message` value fills
        each language with its own words (e.g. `what=Message(nl="De aanvraag",
        en="The application")`)."""
        nl, en = self._entries[code]
        return Error(
            code=code,
            message=Message(nl=nl.format(**_in(fmt, "nl")), en=en.format(**_in(fmt, "en"))),
            details=details or {},
        )

    def merged(self, other: ErrorCatalogue) -> ErrorCatalogue:
        clash = set(self._entries) & set(other._entries)
        if clash:
            raise ValueError(f"error codes defined twice: {sorted(clash)}")
        return ErrorCatalogue({**self._entries, **other._entries})


def _in(fmt: dict[str, object], language: str) -> dict[str, object]:
    return {k: getattr(v, language) if isinstance(v, Message) else v for k, v in fmt.items()}


COMMON_ERRORS = ErrorCatalogue(
    {
        "invalid_message": (
            "Het bericht is ongeldig: {problem}",
            "The message is invalid: {problem}",
        ),
        "unknown_operation": (
            "Deze opdracht of vraag bestaat niet: {name}",
            "This command or query does not exist: {name}",
        ),
        "forbidden": (
            "U mag dit niet doen.",
            "You are not allowed to do this.",
        ),
        "not_found": (
            "{what} is niet gevonden.",
            "{what} was not found.",
        ),
        "conflict": (
            "Dit is tegelijk door iemand anders gewijzigd; probeer het opnieuw.",
            "Someone else changed this at the same time; please try again.",
        ),
        "command_id_reused": (
            "Dit opdrachtnummer (command_id) is al gebruikt voor een andere opdracht.",
            "This command_id was already used for a different command.",
        ),
        "internal_error": (
            "Er ging iets mis aan onze kant; er is niets veranderd. Probeer het later opnieuw.",
            "Something went wrong on our side; nothing was changed. Please try again later.",
        ),
        "unavailable": (
            "De dienst is tijdelijk niet beschikbaar; probeer het later opnieuw.",
            "The service is temporarily unavailable; please try again later.",
        ),
    }
)


class Refusal(Exception):
    """Raised by a domain rule to refuse a command; becomes an error reply with this code.

    `details` go to the caller as data; `fmt` fills the placeholders of the code's messages.
    """

    def __init__(self, code: str, details: dict | None = None, **fmt: object):
        super().__init__(code)
        self.code = code
        self.details = details or {}
        self.fmt = fmt
