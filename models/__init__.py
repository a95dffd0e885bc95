"""SQLModel tables, one module per concern; import them here so metadata knows them all."""
from .consent import ConsentRecord
from .conversation import Conversation
from .inbox import WebhookEvent
from .intake import Household, Intake, Person, Reporter
from .outbox import OutboxMessage

__all__ = [
    "ConsentRecord",
    "Conversation",
    "Household",
    "Intake",
    "OutboxMessage",
    "Person",
    "Reporter",
    "WebhookEvent",
]
