"""SQLModel tables, one module per concern; import them here so metadata knows them all."""
from .agency import Agency
from .alert import OncallAlert
from .audit import AuditEvent, StaffUser  # console staff + audit trail
from .case import CaseEvent, ConsentOverride, ContactLog, Meeting, SupportPlan
from .consent import ConsentRecord
from .conversation import Conversation
from .inbox import WebhookEvent
from .intake import Household, Intake, Person, Reporter
from .outbox import OutboxMessage
from .referral import Referral
from .setting import AppSetting
from .staff_session import StaffSession

__all__ = [
    "Agency",
    "AppSetting",
    "Referral",
    "AuditEvent",
    "StaffUser",
    "CaseEvent",
    "ConsentOverride",
    "ContactLog",
    "Meeting",
    "SupportPlan",
    "ConsentRecord",
    "Conversation",
    "Household",
    "Intake",
    "OncallAlert",
    "OutboxMessage",
    "Person",
    "Reporter",
    "StaffSession",
    "WebhookEvent",
]
