"""Prometheus metrics of one service process, on its own registry."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class Metrics:
    def __init__(self, service: str):
        self.registry = CollectorRegistry()
        r = self.registry
        self.messages_handled = Counter(
            "voorelkaar_messages_handled_total",
            "Events handled by a consumer",
            ["consumer"],
            registry=r,
        )
        self.messages_duplicate = Counter(
            "voorelkaar_messages_duplicate_total",
            "Events received again and skipped by the inbox",
            ["consumer"],
            registry=r,
        )
        self.messages_failed = Counter(
            "voorelkaar_messages_failed_total",
            "Event deliveries whose handler raised (redelivered later)",
            ["consumer"],
            registry=r,
        )
        self.messages_dead_lettered = Counter(
            "voorelkaar_messages_dead_lettered_total",
            "Messages sent to the dead-letter subject",
            ["consumer", "reason"],
            registry=r,
        )
        self.handler_latency = Histogram(
            "voorelkaar_handler_latency_seconds",
            "Time from receipt to commit, per handled message or command",
            ["kind", "name"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.commands = Counter(
            "voorelkaar_commands_total",
            "Commands and queries answered",
            ["operation", "outcome"],
            registry=r,
        )
        self.command_retries = Counter(
            "voorelkaar_command_retries_total",
            "Commands taken out of a shared batch (lock wait, deadlock) and run on their own",
            registry=r,
        )
        self.command_batch_size = Histogram(
            "voorelkaar_command_batch_size",
            "Commands per shared transaction",
            buckets=(1, 2, 4, 8, 16, 32, 64),
            registry=r,
        )
        self.outbox_backlog = Gauge(
            "voorelkaar_outbox_backlog", "Events in the outbox not yet published", registry=r
        )
        self.outbox_oldest_age = Gauge(
            "voorelkaar_outbox_oldest_age_seconds",
            "Age of the oldest unpublished event",
            registry=r,
        )
        self.outbox_published = Counter(
            "voorelkaar_outbox_published_total", "Events published by the relay", registry=r
        )
        self.outbox_duplicates = Counter(
            "voorelkaar_outbox_duplicates_total",
            "Re-publishes that JetStream recognised by their id and dropped",
            registry=r,
        )
        self.outbox_publish_failures = Counter(
            "voorelkaar_outbox_publish_failures_total", "Publishes that will be retried", registry=r
        )
        self.service_info = Gauge(
            "voorelkaar_service_up", "1 while the service runs", ["service"], registry=r
        )
        self.service_info.labels(service).set(1)
