"""Subject and stream names of every service, in one place.

Events: `<service>.<entity>.<event>` on the service's own stream. Commands and queries:
`<service>.cmd.<verb>` and `<service>.q.<name>`, request/reply with a queue group per service.
Dead letters: `dlq.<service>` on the DLQ stream. A deployment may put every name under a
namespace (`<ns>.` before subjects, `<NS>_` before streams) to share one NATS between
communities or test runs.
"""

from __future__ import annotations

from dataclasses import dataclass

SERVICES = ("timebank", "initiatives", "budget", "notifications", "gateway")
EVENT_STREAMS = {
    "timebank": "TIMEBANK",
    "initiatives": "INITIATIVES",
    "budget": "BUDGET",
    "notifications": "NOTIFICATIONS",
}
DLQ_STREAM = "DLQ"


@dataclass(frozen=True)
class Naming:
    """Every name a service uses on NATS, under an optional namespace."""

    namespace: str = ""

    def __post_init__(self) -> None:
        ns = self.namespace
        if ns and not ns.replace("_", "").replace("-", "").isalnum():
            raise ValueError(f"namespace must be letters, digits, '-' or '_': {ns!r}")

    def _subject(self, subject: str) -> str:
        return f"{self.namespace}.{subject}" if self.namespace else subject

    def _stream(self, stream: str) -> str:
        return f"{self.namespace.upper().replace('-', '_')}_{stream}" if self.namespace else stream

    def event_subject(self, event_type: str) -> str:
        return self._subject(event_type)

    def event_type(self, subject: str) -> str:
        prefix = f"{self.namespace}." if self.namespace else ""
        return subject[len(prefix) :] if prefix and subject.startswith(prefix) else subject

    def stream(self, service: str) -> str:
        return self._stream(EVENT_STREAMS.get(service, service.upper()))

    def entity_subjects(self, service: str, entities: list[str]) -> list[str]:
        """A stream captures its entities' subjects only, never `cmd`/`q` (those are replies)."""
        return [self._subject(f"{service}.{entity}.*") for entity in sorted(set(entities))]

    def command(self, service: str, verb: str) -> str:
        return self._subject(f"{service}.cmd.{verb}")

    def query(self, service: str, name: str) -> str:
        return self._subject(f"{service}.q.{name}")

    def queue_group(self, service: str) -> str:
        return self._subject(service)

    def dlq_stream(self) -> str:
        return self._stream(DLQ_STREAM)

    def dlq_subject(self, service: str) -> str:
        return self._subject(f"dlq.{service}")

    def dlq_subjects(self) -> list[str]:
        return [self._subject("dlq.*")]

    def durable(self, service: str, consumer: str) -> str:
        return f"{service}-{consumer}"
