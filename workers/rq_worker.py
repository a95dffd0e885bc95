"""The RQ worker `tsunagu worker` runs: RQ's SimpleWorker, minus the traceback text.

When a job raises, RQ logs the formatted traceback and keeps it in Redis (the failed job's
results stream). A traceback's text carries exception messages, and those may quote a
resident: a PostgreSQL error's "Failing row contains (...)" or "Key (user_key)=(U...)" line,
a ValueError about a value. Here both the log line and the stored record get
`describe(exc)` instead: the exception's type and where it was raised, nothing else.
"""
from __future__ import annotations

from rq import SimpleWorker
from rq.job_lifecycle import call_exception_handlers

from .errors import describe


class PrivateWorker(SimpleWorker):
    def handle_exception(self, job, *exc_info):
        described = describe(exc_info[1]) if exc_info and exc_info[1] is not None else "unknown error"
        self._described = getattr(self, "_described", {})
        self._described[job.id] = described
        self.log.error("Worker %s: job %s failed: %s", self.name, job.id, described)
        call_exception_handlers(self._exc_handlers, job, *exc_info)

    def handle_job_failure(self, job, queue, started_job_registry=None, exc_string="", execution=None):
        # RQ calls handle_exception first with the exception, then this with its formatted
        # traceback; failures without an exception (a stuck job) keep RQ's own fixed text
        described = getattr(self, "_described", {}).pop(job.id, None)
        return super().handle_job_failure(job, queue, started_job_registry=started_job_registry,
                                          exc_string=described or exc_string, execution=execution)
