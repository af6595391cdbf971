"""WSGI entry point: `gunicorn -k gevent -w 1 wsgi:app` (see README)."""

from pb import create_app

app = create_app()
