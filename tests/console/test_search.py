"""Finding a case when the resident phones the counter without the receipt number: by phone
number (whole, with hyphens or full-width, or its last digits), by name, by area; the audit
row says a search was made and of what kind, never the term (found by the outside walk)."""
from __future__ import annotations

import re

import pytest
from sqlmodel import select

from models import AuditEvent, Intake, Person
from models.db import session_scope
from tests.bot.test_first_contact import clock, submit_self_with_phone  # noqa: F401
from tests.console.conftest import make_intake, staff  # noqa: F401


def found(client, q: str) -> list[str]:
    page = client.get("/console/", query_string={"q": q})
    assert page.status_code == 200
    return re.findall(r'data-receipt="([^"]+)"', page.get_data(as_text=True))


@pytest.fixture
def sakura(visitor, clock):  # noqa: F811
    """さくら, 元本郷町, 090-1234-5678, through the web chat; and someone else."""
    submit_self_with_phone(visitor)
    other = make_intake(receipt_no="OTHR-0001")
    with session_scope() as db:
        db.get(Person, db.get(Intake, other).person_id).area = "八王子市大和田町"
        return db.exec(select(Intake).where(Intake.channel == "web")).one().receipt_no


@pytest.mark.parametrize("q", ["090-1234-5678", "09012345678", "０９０ー１２３４ー５６７８", "5678", "さくら", "元本郷"])
def test_staff_find_the_case_by_phone_name_or_area(as_role, sakura, q):
    assert found(as_role("suishin"), q) == [sakura]


def test_the_receipt_number_still_works_and_nothing_matches_nothing(as_role, sakura):
    client = as_role("suishin")
    assert found(client, sakura.lower().replace("-", "")) == [sakura]
    assert found(client, "9999") == [] and found(client, "すずき") == []


def test_a_search_is_audited_by_kind_never_by_term(as_role, sakura):
    found(as_role("admin"), "090-1234-5678")
    with session_scope() as db:
        rows = db.exec(select(AuditEvent).where(AuditEvent.action == "queue.search")).all()
    assert [r.detail for r in rows] == [{"kind": "phone"}]
    assert "5678" not in repr([r.model_dump() for r in rows])


def test_wildcards_in_the_term_match_only_themselves(as_role, sakura):
    assert found(as_role("suishin"), "%%") == [] and found(as_role("suishin"), "__") == []


def test_the_safe_second_number_finds_the_case_too(as_role, sakura):
    """Walk 2 B5: phone unsafe, the resident gave a second (safe) number; staff search either one."""
    with session_scope() as db:
        intake = db.exec(select(Intake).where(Intake.receipt_no == sakura)).one()
        from models import Reporter
        reporter = db.get(Reporter, intake.reporter_id)
        reporter.contact = {**reporter.contact, "safety": "unsafe", "arrange": "phone", "arrange_phone": "08077778888"}
    client = as_role("suishin")
    assert found(client, "080-7777-8888") == [sakura] and found(client, "8888") == [sakura]
    assert found(client, "090-1234-5678") == [sakura]
