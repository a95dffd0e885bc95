"""Every periodic job the worker schedules runs on an empty service without failing, and the
sweeps the console relies on are in the table (a sweep nobody schedules never runs)."""
from __future__ import annotations

from console.referrals import sweep_reminders
from workers.cases import release_stale_claims
from workers.schedule import PERIODIC
from workers.staff_messages import sweep_staff_messages


def test_the_console_sweeps_are_scheduled():
    scheduled = {func for func, _ in PERIODIC}
    assert {release_stale_claims, sweep_reminders, sweep_staff_messages} <= scheduled


def test_every_periodic_job_runs_on_an_empty_service(app):
    for func, every in PERIODIC:
        assert every > 0
        func()  # raises if a job cannot run
