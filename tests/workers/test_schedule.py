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


def _slow_periodic_job():
    import time

    time.sleep(1.5)


def test_a_periodic_job_still_running_is_not_queued_again(backend):
    """Every worker schedules the periodic jobs; while one copy runs, another must not be
    queued under its id (that overwrote the running job and failed both clean-ups)."""
    import subprocess
    import sys
    import time
    from pathlib import Path

    from rq.job import Job, JobStatus

    from workers.jobs import make_jobs

    _, redis_url = backend
    if redis_url is None:
        return  # the in-process jobs have no job ids
    jobs = make_jobs(redis_url)
    jobs.enqueue_periodic(_slow_periodic_job)
    # a real RQ worker (RQ needs its own main thread), in burst mode: it stops when done
    worker = subprocess.Popen(
        [sys.executable, "-c",
         "import sys; from redis import Redis; from rq import Queue; from workers.rq_worker import PrivateWorker; "
         "q = Queue(sys.argv[2], connection=Redis.from_url(sys.argv[1])); "
         "PrivateWorker([q], connection=q.connection).work(burst=True)", redis_url, jobs.queue.name],
        cwd=Path(__file__).resolve().parents[2])
    job_id = f"periodic-{_slow_periodic_job.__name__}"
    deadline = time.monotonic() + 20
    while Job.fetch(job_id, connection=jobs.connection).get_status() != JobStatus.STARTED:
        assert time.monotonic() < deadline, "the worker never started the job"
        time.sleep(0.02)
    jobs.enqueue_periodic(_slow_periodic_job)  # a second scheduler, while the first copy runs
    assert jobs.queue.count == 0
    assert worker.wait(timeout=30) == 0
    assert jobs.queue.failed_job_registry.count == 0
    jobs.enqueue_periodic(_slow_periodic_job)  # done and deleted: the next round is queued
    assert jobs.queue.count == 1
    jobs.queue.empty()
