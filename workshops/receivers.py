"""Receivers of Django's signals (connected in workshops/apps.py)."""

from workshops.models import Workshop


def close_sockets_of_logged_out_user(sender, request, user, **kwargs):
    """A facilitator who logs out loses the live sockets their session opened, at once."""
    if user is None:
        return
    for workshop in Workshop.objects.hosted_by(user).not_closed():
        workshop.revoke_open_access()
