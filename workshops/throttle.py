"""Throttles of guesses: unknown join codes, sign-ups, password resets, and log-in lockouts.

Counting is django-ratelimit's (fixed windows in the shared cache, keyed by client address);
log-in failures are django-axes'. Both answer 429 with the same page and a `Retry-After`
header. The rates are settings (README, "Security").
"""

import functools
import math

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import get_usage


def client_ip(request):
    """Returns the client's address: REMOTE_ADDR, never a header the client could forge.

    Behind a reverse proxy, Daphne's --proxy-headers makes REMOTE_ADDR the browser's address.
    """
    return request.META.get("REMOTE_ADDR") or "0.0.0.0"  # noqa: S104 (a key, not a bind)


def too_many_requests(request, retry_after, *, reason=""):
    """Returns the 429 page telling the person when to try again."""
    retry_after = max(1, int(retry_after))
    response = render(
        request,
        "429.html",
        {"minutes": math.ceil(retry_after / 60), "reason": reason},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


class Throttle:
    """A per-client budget of attempts, read from the rate setting `setting` at each call.

    `blocked(request)` answers 429 once the budget is spent, without counting; `spend(request)`
    counts one attempt and answers 429 when that attempt was one too many. Views call `spend`
    only for what they throttle (an unknown code, a POST), so successes stay free.
    """

    def __init__(self, group, setting, *, key="ip", reason=""):
        self.group, self.setting, self.key, self.reason = group, setting, key, reason

    def _check(self, request, increment):
        usage = get_usage(
            request, group=self.group, key=self.key, rate=getattr(settings, self.setting),
            increment=increment,
        )
        if usage is None or not usage["should_limit"]:
            return None
        # A window's counter can outlive its window by a few seconds; never say "0 s".
        return too_many_requests(request, max(usage["time_left"], 1), reason=self.reason)

    def blocked(self, request):
        return self._check(request, increment=False)

    def spend(self, request):
        return self._check(request, increment=True)

    def on_post(self, view):
        """Decorates a view: each POST spends one attempt; the 429 page replaces the view."""

        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST":
                refused = self.spend(request)
                if refused is not None:
                    return refused
            return view(request, *args, **kwargs)

        return wrapper


join_guesses = Throttle(
    "join-code-guess", "THROTTLE_JOIN_GUESSES",
    reason=_("Too many unknown join codes came from your network."),
)
signups = Throttle(
    "signup", "THROTTLE_SIGNUP", reason=_("Too many sign-ups came from your network.")
)
password_resets = Throttle(
    "password-reset", "THROTTLE_PASSWORD_RESET",
    reason=_("Too many password reset requests came from your network."),
)
def _posted_email(group, request):
    return request.POST.get("email", "").strip().casefold()


password_resets_per_address = Throttle(
    "password-reset-email", "THROTTLE_PASSWORD_RESET", key=_posted_email,
    reason=_("Too many password reset requests for this e-mail address."),
)

link_emails = Throttle(
    "personal-link-email", "THROTTLE_LINK_EMAILS",
    reason=_("Too many personal links were e-mailed from your network."),
)


def login_locked_out(request, response, credentials):
    """django-axes' lockout answer: the 429 page, for as long as the cool-off lasts."""
    return too_many_requests(
        request, settings.AXES_COOLOFF_TIME.total_seconds(),
        reason=_("Too many failed log-ins for this account or from your network."),
    )
