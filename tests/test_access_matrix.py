"""The access matrix: every URL of the URL conf × every kind of person, against a table.

The table below names, for each URL name, the method used and the answer each role gets.
A URL name missing from it fails `test_every_url_has_a_rule`, so a new page cannot ship
without someone deciding who may see it. Each cell is a fresh database (POSTs may delete).

Answers: 200, 400, 403, 404, "login" (302 to a log-in page), "302" (any other redirect; the
target is checked where it matters in the view's own tests).

The admin namespace has one rule: none of these roles is staff, so every admin URL sends
them to the admin's log-in (only the log-in page itself answers 200).
"""

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from report_helpers import make_workshop

from breakouts.models import Room
from tests.conftest import PASSWORD
from workshops.access import remember_participant
from workshops.models import Attribute, Challenge, Workshop
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
CLIENT = Client()


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
        self.attribute = Attribute.objects.create(
            workshop=self.workshop, label="Level", key="level", choices="Manager\nDirector"
        )

    def kwargs(self, name, pattern):
        """Returns the URL arguments for `name`: always objects of workshop W."""
        w = self.workshop
        values = {
            "code": w.join_code,
            "number": 1,
            "slug": STARTERS[0].slug,
            "user_id": self.users["cofacilitator"].pk,
            "attribute_id": self.attribute.pk,
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
            "id": "1",
            "app_label": "auth",
            "content_type_id": 1,
            "url": "nowhere/",
        }
        return {key: values[key] for key in pattern.pattern.regex.groupindex}

    def client(self, role):
        # One Client for all: each new one loads the middleware (WhiteNoise scans the static
        # files); clearing the cookies makes it a new browser.
        client = CLIENT
        client.cookies.clear()
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


def row(*answers):
    """The answers of the roles, in the order of ROLES."""
    assert len(answers) == len(ROLES)
    return dict(zip(ROLES, answers, strict=True))


GET, POST, L, R = "GET", "POST", "login", "302"

# Workshop W is in breakouts. Order of every row: anonymous, another facilitator, a participant
# of another workshop, of another room, a room member, the scribe, the owner, a co-facilitator,
# a removed co-facilitator. POST rows send an empty form. L: to a log-in page; R: another redirect.
RULES = {
    "breakouts:control": (GET, row(L, 404, L, 404, 404, 404, 200, 200, 404)),
    "breakouts:plan": (GET, row(L, 404, L, L, L, L, R, R, 404)),
    **{
        f"breakouts:plan_{change}": (POST, row(L, 404, L, L, L, L, R, R, 404))
        for change in (
            "reshuffle", "move", "pin", "unpin", "apart_add", "apart_remove", "together_add",
            "together_remove", "start",
        )
    },
    "breakouts:plenary": (GET, row(404, 404, 404, R, R, R, 200, 200, 404)),
    "breakouts:plenary_room": (GET, row(404, 404, 404, 403, 200, 200, 200, 200, 404)),
    "breakouts:room": (GET, row(404, 404, 404, 403, 200, 200, 200, 200, 404)),
    "calls:roster": (GET, row(L, 404, L, L, L, L, 200, 200, 404)),
    "calls:roster_csv": (GET, row(L, 404, L, L, L, L, 200, 200, 404)),
    "calls:settings": (GET, row(L, 404, L, L, L, L, 200, 200, 404)),
    "calls:zoom_csv": (GET, row(L, 404, L, L, L, L, 200, 200, 404)),
    "healthz": (GET, row(200, 200, 200, 200, 200, 200, 200, 200, 200)),
    "home": (GET, row(200, 200, 200, 200, 200, 200, 200, 200, 200)),
    "login": (GET, row(200, 200, 200, 200, 200, 200, 200, 200, 200)),
    "logout": (POST, row(R, R, R, R, R, R, R, R, R)),
    "password_reset": (GET, row(200, 200, 200, 200, 200, 200, 200, 200, 200)),
    "password_reset_complete": (GET, row(200, 200, 200, 200, 200, 200, 200, 200, 200)),
    "password_reset_confirm": (GET, row(200, 200, 200, 200, 200, 200, 200, 200, 200)),
    "password_reset_done": (GET, row(200, 200, 200, 200, 200, 200, 200, 200, 200)),
    "report:actions_csv": (GET, row(404, 404, 404, 200, 200, 200, 200, 200, 404)),
    "report:actions_ics": (GET, row(404, 404, 404, 200, 200, 200, 200, 200, 404)),
    "report:debrief": (GET, row(404, 404, 404, 200, 200, 200, R, R, 404)),
    "report:debrief_choices": (POST, row(L, 404, L, L, L, L, R, R, 404)),
    "report:debrief_results": (GET, row(L, 404, L, L, L, L, 200, 200, 404)),
    "report:debrief_results_json": (GET, row(L, 404, L, L, L, L, 200, 200, 404)),
    "report:my_actions": (GET, row(404, 404, 404, 200, 200, 200, 404, 404, 404)),
    "report:network": (GET, row(404, 404, 404, 200, 200, 200, 200, 200, 404)),
    "report:network_vcf": (GET, row(404, 404, 404, 200, 200, 200, 404, 404, 404)),
    "report:report": (GET, row(404, 404, 404, 200, 200, 200, 200, 200, 404)),
    "report:report_json": (GET, row(404, 404, 404, 200, 200, 200, 200, 200, 404)),
    "report:report_md": (GET, row(404, 404, 404, 200, 200, 200, 200, 200, 404)),
    "report:tracker": (GET, row(L, 404, L, L, L, L, 200, 200, 404)),
    "signup": (GET, row(200, R, 200, 200, 200, 200, R, R, R)),
    "workshops:attribute_delete": (POST, row(L, 404, L, L, L, L, 200, 200, 404)),
    "workshops:attribute_edit": (GET, row(L, 404, L, L, L, L, 200, 200, 404)),
    "workshops:attribute_move": (POST, row(L, 404, L, L, L, L, R, R, 404)),
    "workshops:attributes": (GET, row(L, 404, L, L, L, L, 200, 200, 404)),
    "workshops:challenge_delete": (POST, row(L, 404, L, L, L, L, R, R, 404)),
    "workshops:challenge_edit": (GET, row(L, 404, L, L, L, L, 200, 200, 404)),
    "workshops:challenge_move": (POST, row(L, 404, L, L, L, L, R, R, 404)),
    "workshops:challenge_starter": (POST, row(L, 404, L, L, L, L, R, R, 404)),
    "workshops:challenges": (GET, row(L, 404, L, L, L, L, 200, 200, 404)),
    "workshops:cofacilitator_add": (POST, row(L, 404, L, L, L, L, 400, 403, 404)),
    "workshops:cofacilitator_remove": (POST, row(L, 404, L, L, L, L, R, 403, 404)),
    "workshops:create": (GET, row(L, 200, L, L, L, L, 200, 200, 200)),
    "workshops:delete": (GET, row(L, 404, L, L, L, L, 200, 403, 404)),
    "workshops:detail": (GET, row(L, 404, L, L, L, L, 200, 200, 404)),
    "workshops:duplicate": (POST, row(L, 404, L, L, L, L, R, R, 404)),
    "workshops:roster": (GET, row(L, 404, L, L, L, L, 200, 200, 404)),
    "workshops:edit": (GET, row(L, 404, L, L, L, L, 200, 200, 404)),
    "workshops:invite": (GET, row(L, 404, L, L, L, L, 200, 200, 404)),
    "workshops:join": (GET, row(200, 200, 200, 200, 200, 200, 200, 200, 200)),
    "workshops:join_code": (GET, row(200, 200, 200, R, R, R, 200, 200, 200)),
    "workshops:join_link": (GET, row(200, 200, 200, R, R, R, 200, 200, 200)),
    "workshops:list": (GET, row(L, 200, L, L, L, L, 200, 200, 200)),
    "workshops:lobby": (GET, row(R, R, R, R, R, R, R, R, R)),
    "workshops:me": (GET, row(R, R, R, R, R, R, R, R, R)),
    "workshops:participant_remove": (POST, row(L, 404, L, L, L, L, 200, 200, 404)),
    "workshops:personal_link": (GET, row(R, R, R, R, R, R, R, R, R)),
    "workshops:phase": (POST, row(L, 404, L, L, L, L, R, R, 404)),
    "workshops:qr": (GET, row(L, 404, L, L, L, L, 200, 200, 404)),
    "workshops:rejoin_confirm": (POST, row(L, 404, L, L, L, L, R, R, 404)),
    "workshops:roster_import": (GET, row(L, 404, L, L, L, L, 200, 200, 404)),
    "workshops:roster_links": (GET, row(L, 404, L, L, L, L, 200, 200, 404)),
}


def test_every_url_has_a_rule():
    missing = [name for name in APP_URLS if name not in RULES]
    assert missing == [], f"URL names without an access rule: {missing}"
    stale = [name for name in RULES if name not in APP_URLS]
    assert stale == [], f"rules for URL names that no longer exist: {stale}"


@pytest.mark.parametrize("name", APP_URLS)
def test_access(name):
    """Every role gets the table's answer (each on a fresh copy of the data), with the CSP."""
    world = World()
    pattern = dict(url_patterns())[name]
    url = reverse(name, kwargs=world.kwargs(name, pattern))
    method, expected = RULES[name]
    got = {}
    for role in ROLES:
        cache.clear()
        savepoint = transaction.savepoint()
        client = world.client(role)
        response = client.post(url) if method == "POST" else client.get(url)
        transaction.savepoint_rollback(savepoint)
        got[role] = answer(response)
        assert "script-src 'self'" in response["Content-Security-Policy"], (name, role)
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"], (name, role)
    assert got == expected, name


@pytest.mark.parametrize("role", ROLES)
def test_admin_sends_everyone_to_its_log_in(role):
    """Nobody in the matrix is staff: every admin page but the log-in sends them there."""
    world = World()
    client = world.client(role)
    for name in ADMIN_URLS:
        url = reverse(name, kwargs=world.kwargs(name, dict(url_patterns())[name]))
        response = client.get(url)
        if name == "admin:login":
            assert response.status_code == 200
        elif name == "admin:logout":
            assert response.status_code in (302, 405)  # back to the admin, or POST only
        else:
            assert answer(response) == "login", (name, role, response.status_code)
