"""A session signed in without the log-in pages: for tests and docs/screenshots.py."""

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from workshops.access import remember_participant


def signed_session_key(user=None, participant=None):
    """Stores a session signed in as `user` (a facilitator) and/or `participant` (as if they
    had followed their personal link) and returns its key, the session cookie's value."""
    session = SessionStore()
    if user is not None:
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if participant is not None:
        remember_participant(session, participant)
    session.save()
    return session.session_key
