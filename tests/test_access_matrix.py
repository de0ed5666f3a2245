"""The access matrix: every URL of the URL conf × every kind of person, against a table.

The table below names, for each URL name, the method used and the answer each role gets.
A URL name missing from it fails `test_every_url_has_a_rule`, so a new page cannot ship
without someone deciding who may see it. Each cell is a fresh database (POSTs may delete).

Answers: 200, 400, 403, 404, 405, "login" (302 to the log-in page), "302" (any other
redirect; the target is checked where it matters in the view's own tests).

The admin namespace has one rule: none of these roles is staff, so every admin URL sends
them to the admin's log-in (only the log-in page itself answers 200).
"""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from report_helpers import make_workshop

from breakouts.models import Room
from tests.conftest import PASSWORD
from workshops.access import remember_participant
from workshops.models import Challenge, Workshop
from workshops.starter_challenges import STARTERS

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous", "other_facilitator", "other_workshop_participant", "other_room_participant",
    "member", "scribe", "owner", "cofacilitator", "removed_cofacilitator",
]


def url_patterns(patterns=None, namespace=None):
    """Yields (full URL name, pattern) for every named pattern of the URL conf."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace
            if namespace and inner:
                inner = f"{namespace}:{inner}"
            yield from url_patterns(entry.url_patterns, inner or namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry


ALL_URLS = sorted({name for name, _ in url_patterns()})
APP_URLS = [name for name in ALL_URLS if not name.startswith("admin:")]
ADMIN_URLS = [name for name in ALL_URLS if name.startswith("admin:")]


class World:
    """Workshop W (breakouts) run by `owner` with `cofacilitator`; room 1 has the scribe and
    a member, room 2 another participant. `other_facilitator` runs workshop W2 with its own
    participant. `removed_cofacilitator` once ran W."""

    def __init__(self):
        users = {
            name: User.objects.create_user(name, f"{name}@example.com", PASSWORD)
            for name in ("owner", "cofacilitator", "removed_cofacilitator", "other_facilitator")
        }
        self.users = users
        self.workshop = make_workshop(
            users["owner"], rooms=2, per_room=2, phase=Workshop.Phase.BREAKOUTS
        )
        self.workshop.cofacilitators.add(users["cofacilitator"], users["removed_cofacilitator"])
        self.workshop.cofacilitators.remove(users["removed_cofacilitator"])
        rooms = {room.number: room for room in Room.objects.filter(workshop=self.workshop)}
        one = list(rooms[1].members.order_by("pk"))
        self.participants = {
            "scribe": rooms[1].scribe,
            "member": next(p for p in one if p.pk != rooms[1].scribe_id),
            "other_room_participant": rooms[2].members.first(),
        }
        other = make_workshop(
            users["other_facilitator"], rooms=1, per_room=1, phase=Workshop.Phase.BREAKOUTS,
            title="Elsewhere",
        )
        self.participants["other_workshop_participant"] = other.participants.first()
        self.challenge = Challenge.objects.filter(workshop=self.workshop).first()

    def kwargs(self, name, pattern):
        """Returns the URL arguments for `name`: always objects of workshop W."""
        w = self.workshop
        values = {
            "code": w.join_code,
            "number": 1,
            "slug": STARTERS[0].slug,
            "user_id": self.users["cofacilitator"].pk,
            "uidb64": "MQ",
            "token": {
                "workshops:join_link": w.join_token,
                "workshops:personal_link": self.participants["member"].token,
            }.get(name, "set-password"),
            "pk": (
                self.participants["other_room_participant"].pk
                if name == "workshops:participant_remove" else self.challenge.pk
            ),
            # admin
            "object_id": "1",
            "app_label": "auth",
            "content_type_id": 1,
            "url": "nowhere/",
        }
        return {key: values[key] for key in pattern.pattern.regex.groupindex}

    def client(self, role):
        client = Client()
        if role in self.users:
            client.force_login(self.users[role])
        elif role in self.participants:
            participant = self.participants[role]
            session = client.session
            remember_participant(session, participant)
            session.save()
        return client


def answer(response):
    if response.status_code == 302:
        return "login" if "/login/" in response["Location"] else "302"
    return response.status_code


def request(name, role, method=None):
    world = World()
    pattern = dict(url_patterns())[name]
    url = reverse(name, kwargs=world.kwargs(name, pattern))
    method = method or (RULES[name][0] if name in RULES else "GET")
    client = world.client(role)
    response = client.post(url) if method == "POST" else client.get(url)
    return response


# URL name → (method, {role: answer}); `_all(x)` gives every role the same answer.
def _all(value):
    return dict.fromkeys(ROLES, value)


RULES = {}


def test_every_url_has_a_rule():
    missing = [name for name in APP_URLS if name not in RULES]
    assert missing == [], f"URL names without an access rule: {missing}"
    stale = [name for name in RULES if name not in APP_URLS]
    assert stale == [], f"rules for URL names that no longer exist: {stale}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", APP_URLS)
def test_access(name, role):
    response = request(name, role)
    expected = RULES[name][1][role]
    assert answer(response) == expected, (name, role, response.get("Location"))
    assert "script-src 'self'" in response["Content-Security-Policy"], name


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ADMIN_URLS)
def test_admin_sends_everyone_to_its_log_in(name, role):
    response = request(name, role)
    if name in ("admin:login", "admin:logout") :
        assert response.status_code in (200, 302)
    else:
        assert answer(response) == "login", (name, role)
