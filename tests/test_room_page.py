"""A room page drawn once for a room's members (breakouts/room_page.py): every member gets
exactly the page a page load would show them, and only a member whose page is shareable gets
the kept one."""

import pytest
from django.core.cache import cache
from django.test import Client
from live_helpers import HOST, ORIGIN, session_cookie

from breakouts import room_page
from breakouts.models import Item, Vote
from breakouts.socket_lookups import member_by_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def keeping(monkeypatch):
    """Keeps pages as a deployment does (tests keep nothing by default); counts page draws."""
    cache.clear()
    monkeypatch.setattr(room_page, "KEEP_FOR", 30.0)
    monkeypatch.setattr(room_page, "_kept", {})
    drawn = []
    original = room_page.draw_page

    def counting(scope, path):
        drawn.append(path)
        return original(scope, path)

    monkeypatch.setattr(room_page, "draw_page", counting)
    return drawn


def scope_of(participant):
    return {"type": "websocket", "scheme": "ws", "path": "/ws/", "server": ("127.0.0.1", 80),
            "client": ("127.0.0.1", 50000), "headers": [HOST, ORIGIN, session_cookie(participant)]}


def render_page(scope, url):
    """The page a browser with the scope's cookies gets when it loads `url` (the test client)."""
    cookie = dict(scope["headers"])[b"cookie"].decode()
    name, value = cookie.split("=", 1)
    client = Client()
    client.cookies[name] = value
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def page_for(participant, **options):
    member = member_by_id(participant.workshop_id, participant.pk)
    url = member.room.get_absolute_url()
    return room_page.room_page_for(scope_of(participant), url, member.room, member, "en",
                                   **options)


def test_every_member_gets_the_page_a_page_load_shows_them_drawn_once(make_workshop, keeping):
    _workshop, rooms, people = make_workshop(members=5)
    scribe, *others = people[1]
    url = rooms[0].get_absolute_url()
    for person in [*others, scribe]:
        assert page_for(person) == render_page(scope_of(person), url), person.name
    # One draw for the four ordinary members, one for the scribe (a page of their own).
    assert len(keeping) == 2
    page = page_for(others[2])
    assert f"Signed in as </span>{others[2].name}</span>" in page
    assert f'"name": "{others[2].name}"' in page.split('id="room-state"')[1].split("\"me\"")[1]


def test_a_member_who_voted_or_wrote_gets_a_page_of_their_own(make_workshop, keeping):
    _workshop, rooms, people = make_workshop(members=4)
    scribe, writer, voter, plain = people[1]
    room = rooms[0]
    Item.objects.create(room=room, step="alternatives", text="Pair new hires", author=writer)
    idea = Item.objects.create(room=room, step="alternatives", text="Buddy", author=scribe)
    Vote.objects.create(item=idea, participant=voter, count=2)
    url = room.get_absolute_url()
    for person in (plain, writer, voter, scribe):
        assert page_for(person) == render_page(scope_of(person), url), person.name
    assert keeping == [url] * 4  # nobody's page was another's


def test_a_kept_page_goes_only_to_members_of_its_room_at_its_revision(make_workshop, keeping):
    workshop, rooms, people = make_workshop(members=3)
    one, two = people[1][1], people[2][1]
    page_for(one)
    assert page_for(two) == render_page(scope_of(two), rooms[1].get_absolute_url())
    assert "P1-" not in page_for(two).split('id="members"')[1].split("</ul>")[0]
    # A change to the room (a new revision) is drawn again.
    rooms[0].challenge = workshop.challenges.first()
    rooms[0].save()
    rooms[0].bump_rev()
    drawn = len(keeping)
    other = people[1][2]
    page = page_for(other)
    assert page == render_page(scope_of(other), rooms[0].get_absolute_url())
    assert rooms[0].challenge.title in page.split('id="challenge-title"')[1][:200]
    assert len(keeping) == drawn + 1


def test_a_page_another_process_kept_is_used_and_one_it_is_drawing_is_waited_for(
    make_workshop, keeping, monkeypatch
):
    """Processes share kept pages through the cache (Redis when several serve the site): a
    page another process kept is used without a draw; while another process draws one (its
    claim in the cache), an ordinary member's page is LATER — the scribe's is drawn at once."""
    _workshop, rooms, people = make_workshop(members=4)
    scribe, first, second, third = people[1]
    url = rooms[0].get_absolute_url()
    page_for(first)  # this "process" draws and keeps it...
    monkeypatch.setattr(room_page, "_kept", {})  # ...and another one, with nothing kept
    assert page_for(second) == render_page(scope_of(second), url)
    assert keeping == [url]

    cache.clear()
    monkeypatch.setattr(room_page, "_kept", {})
    member = member_by_id(third.workshop_id, third.pk)
    claim = room_page._claim(member.room.pk, (member.room.state_key, "en"))
    cache.add(claim, True, 10)  # another process has begun to draw it
    assert page_for(third, may_wait=True) is room_page.LATER
    assert page_for(scribe, may_wait=True) == render_page(scope_of(scribe), url)
    assert page_for(third) == render_page(scope_of(third), url)  # no waiting: drawn


def test_a_claim_is_let_go_when_the_page_drawn_cannot_be_kept(make_workshop, keeping,
                                                             monkeypatch):
    """Nobody waits for a page that will not come: a claimed page that could not be kept
    (the room changed meanwhile, say) gives its claim back."""
    _workshop, rooms, people = make_workshop(members=3)
    first = people[1][1]
    member = member_by_id(first.workshop_id, first.pk)
    claim = room_page._claim(member.room.pk, (member.room.state_key, "en"))
    monkeypatch.setattr(room_page, "keep", lambda *args: False)
    assert page_for(first, may_wait=True) == render_page(scope_of(first),
                                                         rooms[0].get_absolute_url())
    assert cache.add(claim, True, 10), "the claim was kept"

def test_a_room_snapshot_built_by_one_process_serves_the_others(make_workshop, monkeypatch):
    """Every process needs every room's snapshot at a breakout start: one build per room and
    revision, shared through the cache (breakouts/snapshot.py)."""
    from breakouts import snapshot

    cache.clear()
    monkeypatch.setattr(snapshot, "ROOM_STATE_TTL", 10.0)
    monkeypatch.setattr(snapshot, "_built", {})
    builds = []
    original = snapshot.build_room_state
    monkeypatch.setattr(snapshot, "build_room_state",
                        lambda room: builds.append(room.pk) or original(room))
    _workshop, rooms, people = make_workshop()
    first = snapshot.room_state(rooms[0], people[1][0])
    monkeypatch.setattr(snapshot, "_built", {})  # another process
    assert snapshot.room_state(rooms[0], people[1][1]) == first
    assert builds == [rooms[0].pk]
    rooms[0].bump_rev()  # a change: built again
    monkeypatch.setattr(snapshot, "_built", {})
    assert snapshot.room_state(rooms[0], people[1][1])["rev"] == first["rev"] + 1
    assert builds == [rooms[0].pk, rooms[0].pk]
