"""SQLModel tables, one module per concern; import them here so metadata knows them all."""
from .audit import AuditEvent, StaffUser  # console staff + audit trail
from .consent import ConsentRecord
from .conversation import Conversation
from .inbox import WebhookEvent
from .intake import Household, Intake, Person, Reporter
from .outbox import OutboxMessage

__all__ = [
    "AuditEvent",
    "StaffUser",
    "ConsentRecord",
    "Conversation",
    "Household",
    "Intake",
    "OutboxMessage",
    "Person",
    "Reporter",
    "WebhookEvent",
]
