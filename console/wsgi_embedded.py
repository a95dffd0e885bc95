"""The app of `tsunagu serve`'s one web process in the embedded default (no REDIS_URL): the
jobs run in this process, so its periodic jobs and its warm-up start here, not in the parent
that granian keeps watch from."""
from console.cli import _app, _logging
from console.commands.serve import start_in_process_work

_logging()
app = _app(generate_secret=False)
start_in_process_work(app)
