"""A resident who writes again after their case was closed starts a new intake: the closed case's
timeline says so (for its former assignee), and each case page lists the same LINE user's or
web-chat visitor's other intakes (walk 2, B4)."""
from __future__ import annotations

from sqlmodel import select

from console import cases
from models import Intake, StaffUser
from models.db import session_scope
from tests.bot.test_first_contact import clock, submit_self_with_phone  # noqa: F401
from tests.console.conftest import make_intake, staff  # noqa: F401


def _close_first(outcome: str = "referred") -> Intake:
    with session_scope() as db:
        intake = db.exec(select(Intake).where(Intake.channel == "web")).one()
        intake.status, intake.outcome = "closed", outcome
        return intake


def test_writing_after_the_close_is_on_the_closed_case_and_both_pages_link(as_role, visitor, clock):  # noqa: F811
    submit_self_with_phone(visitor)
    first = _close_first()
    make_intake(receipt_no="OTHR-0001")  # someone else: never listed
    visitor.say("やっぱり まだ家賃が払えません。死にたい")
    with session_scope() as db:
        (second,) = db.exec(select(Intake).where(Intake.channel == "web", Intake.id != first.id)).all()
    client = as_role("suishin")
    old = client.get(f"/console/intakes/{first.id}").get_data(as_text=True)
    timeline = old[old.index('id="timeline"'):]
    assert "相談者から新しい受付" in timeline
    assert f'<a href="/console/intakes/{second.id}">{second.receipt_no}</a>' in timeline
    assert f'<a href="/console/intakes/{second.id}">{second.receipt_no}</a>' in old[old.index('id="same-resident"'):]
    new = client.get(f"/console/intakes/{second.id}").get_data(as_text=True)
    listed = new[new.index('id="same-resident"'):new.index("</section>", new.index('id="same-resident"'))]
    assert f'<a href="/console/intakes/{first.id}">{first.receipt_no}</a>' in listed and "終結" in listed
    assert "OTHR-0001" not in listed and "相談者から新しい受付" not in new


def test_a_case_with_no_other_intake_lists_none(as_role):
    intake_id = make_intake()
    page = as_role("suishin").get(f"/console/intakes/{intake_id}").get_data(as_text=True)
    assert 'id="same-resident"' not in page
