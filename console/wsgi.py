"""The app of `tsunagu serve`'s web processes: granian imports `console.wsgi:app` in each of
them (and any WSGI server can: `SECRET_KEY=… gunicorn console.wsgi:app`)."""
from console.cli import _app, _logging

_logging()
app = _app(generate_secret=False)
