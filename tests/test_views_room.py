"""The room page /w/<code>/rooms/<n>/: who sees it, and user text never becomes HTML."""

import json

import pytest

from breakouts.models import Item, Note

pytestmark = pytest.mark.django_db


def room_url(workshop, number=1):
    return f"/w/{workshop.join_code}/rooms/{number}/"


def page_state(response):
    html = response.content.decode()
    start = html.index('<script id="room-state" type="application/json">') + len(
        '<script id="room-state" type="application/json">'
    )
    return json.loads(html[start:html.index("</script>", start)])


def test_member_sees_own_room_with_socket_path(setup, participant_client):
    workshop, rooms, people = setup
    response = participant_client(people[1][1]).get(room_url(workshop))
    assert response.status_code == 200
    assert response.context["ws_path"] == f"/ws/w/{workshop.join_code}/"
    state = page_state(response)
    assert state["room"]["number"] == 1
    assert state["me"]["participant"]["id"] == people[1][1].pk
    assert rooms[0].get_absolute_url() == room_url(workshop)


def test_facilitator_sees_any_room_read_only_or_joined(setup, facilitator_client):
    workshop, _rooms, _people = setup
    response = facilitator_client.get(room_url(workshop, 2))
    assert response.status_code == 200
    assert response.context["ws_path"] == f"/ws/w/{workshop.join_code}/?room=2"
    assert page_state(response)["me"]["role"] == "observer"
    joined = facilitator_client.get(room_url(workshop, 2) + "?as=facilitator")
    assert joined.context["ws_path"].endswith("?room=2&as=facilitator")
    assert page_state(joined)["me"]["role"] == "facilitator"


def test_outsider_facilitator_gets_404(setup, outsider_client):
    workshop, _rooms, _people = setup
    assert outsider_client.get(room_url(workshop)).status_code == 404


def test_anonymous_gets_404(setup, client):
    workshop, _rooms, _people = setup
    assert client.get(room_url(workshop)).status_code == 404


def test_participant_of_another_room_gets_403(setup, participant_client):
    workshop, _rooms, people = setup
    assert participant_client(people[2][0]).get(room_url(workshop)).status_code == 403


def test_unknown_room_is_404(setup, participant_client):
    workshop, _rooms, people = setup
    assert participant_client(people[1][0]).get(room_url(workshop, 9)).status_code == 404


def test_user_text_is_never_html(setup, participant_client):
    workshop, rooms, people = setup
    attack = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    people[1][1].name = attack
    people[1][1].save()
    Note.objects.create(room=rooms[0], step="define", text=attack)
    Item.objects.create(room=rooms[0], step="root_causes", text=attack)
    response = participant_client(people[1][0]).get(room_url(workshop))
    html = response.content.decode()
    assert "<img src=x" not in html and "<script>alert" not in html
    state = page_state(response)
    assert state["room"]["notes"]["define"]["text"] == attack
    assert state["room"]["items"][0]["text"] == attack


def _by_id(element, wanted):
    """Returns the element with id `wanted` in a django.test.html tree, or None."""
    if isinstance(element, str):
        return None
    if dict(element.attributes).get("id") == wanted:
        return element
    for child in element.children:
        found = _by_id(child, wanted)
        if found is not None:
            return found
    return None


def attr(element, name):
    return dict(element.attributes).get(name)


def _find(element, predicate):
    """Returns every element of a django.test.html tree for which predicate(element) holds."""
    if isinstance(element, str):
        return []
    found = [element] if predicate(element) else []
    for child in element.children:
        found += _find(child, predicate)
    return found


def _text(element):
    if isinstance(element, str):
        return element
    return " ".join(_text(child) for child in element.children)


def _shown(element):
    return "hidden" not in dict(element.attributes)


def test_room_page_html_shows_the_room_without_javascript(setup, participant_client):
    from django.test.html import parse_html

    workshop, rooms, people = setup
    room = rooms[0]
    scribe, member = people[1][0], people[1][1]
    room.challenge = workshop.challenges.get(title="Silos")
    room.step = "root_causes"
    room.save()
    Note.objects.create(room=room, step="root_causes", text="Five whys on handovers")
    Item.objects.create(room=room, step="root_causes", text="Nobody owns the handover",
                        category="process", author=member)
    Item.objects.create(room=room, step="root_causes", text="Tools do not talk", author=scribe)
    Item.objects.create(room=room, step="alternatives", text="A later step's idea")

    html = parse_html(participant_client(member).get(room_url(workshop)).content.decode())
    assert "Silos" in _text(_by_id(html, "challenge-title"))
    assert _text(_by_id(html, "step-heading")).strip() == "Root causes"
    members = _text(_by_id(html, "members"))
    assert all(person.name in members for person in people[1])
    note = _by_id(html, "note-view")
    assert _shown(note) and "Five whys on handovers" in _text(note)
    items = _by_id(html, "items")
    assert _shown(items)
    assert "Nobody owns the handover" in _text(items) and "Tools do not talk" in _text(items)
    assert "Process" in _text(items)
    assert "A later step's idea" not in _text(items)
    # The member may edit only their own item, and may add one to this step.
    rows = [child for child in items.children if not isinstance(child, str)]
    actions = {
        _text(row).split()[0]: _shown(_find(row, lambda e: attr(e, "data-field") == "actions")[0])
        for row in rows
    }
    assert actions == {"Nobody": True, "Tools": False}
    forms = _find(html, lambda e: attr(e, "data-add-form") is not None)
    assert {attr(form, "data-add-form"): _shown(form) for form in forms} == {
        "root_causes": True, "alternatives": False, "plan": False,
    }


def test_room_page_html_shows_votes_and_the_scribes_own_view(setup, participant_client):
    from django.test.html import parse_html

    from breakouts.models import Vote

    workshop, rooms, people = setup
    room = rooms[0]
    scribe, member = people[1][0], people[1][1]
    room.step = "selection"
    room.save()
    checklist = Item.objects.create(room=room, step="alternatives", text="Checklist", author=member)
    Item.objects.create(room=room, step="alternatives", text="Shared channel", author=member)
    Vote.objects.create(item=checklist, participant=member, count=1)
    Note.objects.create(room=room, step="selection", text="We vote today")

    html = parse_html(participant_client(member).get(room_url(workshop)).content.decode())
    votes = _text(_by_id(html, "vote-list"))
    assert "Checklist" in votes and "1 vote" in votes and "1 votes" not in votes
    assert "0 votes" in votes
    assert "1 of 3 has voted" in _text(_by_id(html, "votes-summary"))
    assert "2 of 3 votes left" in _text(_by_id(html, "votes-left"))

    scribe_html = parse_html(participant_client(scribe).get(room_url(workshop)).content.decode())
    notes = _by_id(scribe_html, "note-input")
    assert _shown(notes) and "We vote today" in _text(notes)
    assert not _shown(_by_id(scribe_html, "note-view"))
    assert _shown(_by_id(scribe_html, "step-controls"))
    assert _shown(_by_id(scribe_html, "selection-form"))


def test_tallies_can_stay_hidden_until_everyone_in_the_room_has_voted(
    client, facilitator, capture_events
):
    # Anchoring: with the workshop's setting, nobody sees (or receives) a tally before the
    # last member of the room has voted; then everyone sees them all.
    from report_helpers import sign_in_participant
    from workshop_builder import build_workshop as make_workshop

    from breakouts.models import Item

    workshop, rooms, people = make_workshop(facilitator, rooms=1, members=2)
    workshop.hide_tallies = True
    workshop.save()
    room = rooms[0]
    room.step = "selection"
    room.save()
    item = Item.objects.create(room=room, step="alternatives", text="Checklist")
    first, second = people[1]
    with capture_events() as events:
        room.set_vote(first.pk, item, 2)
    early = events.of_type("votes.changed")[0]
    assert early["hidden"] is True and early["tallies"] == {}
    sign_in_participant(client, second)
    page = client.get(room.get_absolute_url()).content.decode()
    assert "hidden until everyone has voted" in page
    assert "2 votes" not in page
    with capture_events() as events:
        room.set_vote(second.pk, item, 1)
    last = events.of_type("votes.changed")[0]
    assert last["hidden"] is False and last["tallies"] == {str(item.pk): 3}
    assert "3 votes" in client.get(room.get_absolute_url()).content.decode()


def test_due_dates_read_as_on_every_other_page(client, facilitator):
    import datetime as dt

    from report_helpers import sign_in_participant
    from workshop_builder import build_workshop as make_workshop

    from breakouts.models import Item

    workshop, rooms, people = make_workshop(facilitator, rooms=1, members=2)
    room = rooms[0]
    room.step = "plan"
    room.save()
    Item.objects.create(room=room, step="plan", text="Pilot", due_date=dt.date(2026, 12, 1))
    sign_in_participant(client, people[1][1])
    page = client.get(room.get_absolute_url()).content.decode()
    assert '<time data-field="due_date" datetime="2026-12-01">Dec 1, 2026</time>' in page


def test_room_page_reads_the_workshop_and_its_call_settings_once(
    setup, participant_client, monkeypatch
):
    """A breakout start draws a thousand room pages at once: the page's two call tags and its
    snapshot share one read of the workshop and of its call settings, each in plain SQL (the
    ORM took 2–3 ms to build each), and a member's room is one more small read."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from breakouts import snapshot

    monkeypatch.setattr(snapshot, "ROOM_STATE_TTL", 60.0)  # the room's snapshot, built once
    monkeypatch.setattr(snapshot, "_built", {})
    workshop, _rooms, people = setup
    client = participant_client(people[1][1])
    client.get(room_url(workshop))
    with CaptureQueriesContext(connection) as captured:
        assert client.get(room_url(workshop)).status_code == 200
    from workshops.access import ROOM_SQL, WORKSHOP_BY_CODE_SQL

    sqls = [q["sql"] for q in captured.captured_queries]
    tables = [sql.split(" FROM ", 1)[1].split()[0].strip('"') for sql in sqls
              if sql.startswith("SELECT *") and " FROM " in sql]
    assert tables.count("workshops_workshop") == 1, sqls
    assert tables.count("calls_callsettings") == 1, sqls
    assert tables.count("breakouts_room") == 1, sqls
    plain = {WORKSHOP_BY_CODE_SQL.split(" %s")[0], ROOM_SQL.split(" %s")[0]}
    assert sum(any(sql.startswith(p) for p in plain) for sql in sqls) == 2, sqls
    assert not [sql for sql in sqls if sql.startswith('SELECT "workshops_workshop"')], sqls


def test_member_rows_escape_every_value():
    from breakouts.room_markup import member_rows

    attack = '<img src=x onerror="alert(1)">'
    html = member_rows(
        [{"id": 7, "name": attack, "department": attack, "location": attack}], 7, 7,
        {"offline": attack, "scribe": attack, "you": attack},
    )
    assert "<img" not in html
    assert html.count("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;") == 6


def test_room_pages_share_parts_but_never_a_persons_or_a_rooms_content(
    setup, participant_client, monkeypatch
):
    """A room page is the same whether its shared parts were drawn for it or taken from the
    process's store after other people's and other rooms' pages (templatetags/shared_parts.py)."""
    import re

    from workshops.templatetags import shared_parts

    workshop, rooms, people = setup
    rooms[1].challenge = workshop.challenges.get(title="Silos")
    rooms[1].step = "plan"
    rooms[1].save()
    rooms[0].scribe_offer_to = people[1][2]
    rooms[0].save()
    Item.objects.create(room=rooms[1], step="alternatives", text="Pair up")
    viewers = [people[1][0], people[1][1], people[1][2], people[2][0], people[2][1]]

    def page(person):
        html = participant_client(person).get(
            room_url(workshop, person.room.number)).content.decode()
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)

    alone = {}
    for person in viewers:
        monkeypatch.setattr(shared_parts, "_drawn", {})
        alone[person.pk] = page(person)
    for order in (viewers, viewers[::-1]):
        monkeypatch.setattr(shared_parts, "_drawn", {})
        for person in order:
            assert page(person) == alone[person.pk], person.name
    assert shared_parts._drawn  # the pages did share parts
    others = {p.name for p in people[2]}
    assert not any(name in alone[people[1][1].pk] for name in others)


def test_the_person_offered_the_scribe_role_reads_it_addressed_to_them(setup, participant_client):
    workshop, rooms, people = setup
    offered = people[1][2]
    rooms[0].scribe_offer_to = offered
    rooms[0].save()

    def status(person):
        html = participant_client(person).get(room_url(workshop)).content.decode()
        start = html.index('id="handover-status"')
        return html[html.index(">", start) + 1:html.index("</p>", start)]

    assert status(offered) == "You have been offered the scribe role."
    scribe = rooms[0].scribe
    assert status(scribe) == f"Offer sent to {offered.name}; waiting for them to accept."
    other = next(p for p in people[1] if p not in (offered, scribe))
    assert status(other) == f"{offered.name} has been offered the scribe role."


def test_a_facilitator_who_joined_a_room_is_not_told_they_are_its_scribe(
    setup, facilitator_client, participant_client
):
    workshop, rooms, people = setup
    rooms[0].challenge = None
    rooms[0].save()

    def challenge_help(response):
        html = response.content.decode()
        start = html.index('id="challenge-help"')
        return html[html.index(">", start) + 1:html.index("</p>", start)]

    joined = facilitator_client.get(room_url(workshop) + "?as=facilitator")
    assert challenge_help(joined) == (
        "You joined as the facilitator: you can choose the challenge, as the scribe can."
    )
    scribe = participant_client(rooms[0].scribe).get(room_url(workshop))
    assert challenge_help(scribe) == "You are the scribe: choose the challenge for your room."
