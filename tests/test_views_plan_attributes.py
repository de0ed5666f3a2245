"""The plan page with a workshop's own attributes: mix levels, per-attribute headlines, room
mixes, late joiners (issue #15, "any attribute")."""

import pytest
from django.urls import reverse

from breakouts import plan_review, planning, services
from breakouts.models import Room
from workshops.models import Attribute, Participant, Workshop

pytestmark = pytest.mark.django_db

# Two rooms of two. Whichever two people share a room, they share a department, a location or
# a level: every pairing puts 2 same-value pairs above one attribute's bound (0 for each).
CROSSED = [
    ("Ana", "Sales", "Lyon", "Manager"),
    ("Ben", "Sales", "Oslo", "Director"),
    ("Cy", "Finance", "Lyon", "Director"),
    ("Di", "Finance", "Oslo", "Manager"),
]


@pytest.fixture
def workshop(make_workshop):
    workshop = make_workshop(
        phase=Workshop.Phase.LOBBY, rooms=0, challenges=["Retention"], room_count=2,
        target_room_size=None,
    ).workshop
    Attribute.objects.create(
        workshop=workshop, label="Level", key="level", choices="Manager\nDirector"
    )
    for name, department, location, level in CROSSED:
        Participant.objects.create(
            workshop=workshop, name=name, department=department, location=location,
            attributes={"level": level},
        )
    return workshop


def url(workshop, name="plan"):
    return reverse(f"breakouts:{name}", args=[workshop.join_code])


def reshuffle(client, workshop, **levels):
    data = {"room_count": 2, **{f"mix_{key}": level for key, level in levels.items()}}
    return client.post(url(workshop, "plan_reshuffle"), data)


def headline(response):
    return [line["text"] for line in response.context["plan"].lines()]


def test_must_mix_attributes_reach_their_bound_and_the_other_says_how_far_it_is(
    facilitator_client, workshop
):
    reshuffle(facilitator_client, workshop, department="must mix", location="must mix",
              level="mix if possible")
    response = facilitator_client.get(url(workshop))
    assert headline(response) == [
        "Departments: as mixed as possible",
        "Locations: as mixed as possible",
        "Level: +2 same-level pairs above the best possible",
    ]
    page = response.content.decode()
    assert "Level: +2 same-level pairs above the best possible" in page
    assert "(2 same-level pairs; fewest possible 0)" in page
    assert not response.context["plan"].optimal


def test_a_must_mix_level_wins_over_a_department_that_only_mixes_if_possible(
    facilitator_client, workshop
):
    reshuffle(facilitator_client, workshop, department="mix if possible", location="must mix",
              level="must mix")
    response = facilitator_client.get(url(workshop))
    assert headline(response) == [
        "Departments: +2 same-department pairs above the best possible",
        "Locations: as mixed as possible",
        "Level: as mixed as possible",
    ]
    for room in response.context["plan"].rooms:
        assert room.distinct["level"] == 2
        assert room.extra_distinct == [("Level", 2)]
    assert "Level: 2" in response.content.decode()


def test_levels_are_kept_in_the_draft_and_shown_selected(facilitator_client, workshop):
    reshuffle(facilitator_client, workshop, level="ignore", location="must mix")
    workshop.refresh_from_db()
    assert workshop.draft_plan["mix"] == {
        "department": "mix if possible", "location": "must mix", "level": "ignore",
    }
    response = facilitator_client.get(url(workshop))
    assert "Level: not mixed (ignored)" in headline(response)
    page = response.content.decode()
    assert '<option value="ignore" selected>' in page
    assert 'for="id_mix_level">Level</label>' in page
    # Other changes of the plan keep the levels.
    first = workshop.participants.order_by("name").first()
    facilitator_client.post(url(workshop, "plan_apart_add"),
                            {"first": first.pk, "second": first.pk + 1})
    workshop.refresh_from_db()
    assert workshop.draft_plan["mix"]["level"] == "ignore"


def test_an_attributes_default_level_starts_the_first_plan(facilitator_client, workshop):
    workshop.attributes.update(mix="must mix")
    facilitator_client.get(url(workshop))
    workshop.refresh_from_db()
    assert workshop.draft_plan["mix"]["level"] == "must mix"


def test_an_unknown_level_is_refused_and_the_plan_kept(facilitator_client, workshop):
    facilitator_client.get(url(workshop))
    workshop.refresh_from_db()
    before = workshop.draft_plan
    response = reshuffle(facilitator_client, workshop, level="very much")
    workshop.refresh_from_db()
    assert workshop.draft_plan == before
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("very much" in m for m in messages)


def test_free_text_values_are_compared_normalised(facilitator_client, workshop):
    team = Attribute.objects.create(workshop=workshop, label="Team", key="team", kind="text")
    for person, value in zip(workshop.participants.order_by("name"),
                             ["Blue ", "blue", "RED", "red"], strict=True):
        person.attributes[team.key] = value
        person.save()
    view = plan_review.evaluate(workshop, {"rooms": [list(workshop.participants.values_list(
        "pk", flat=True))], "pinned": {}, "keep_apart": []}, list(workshop.participants.all()))
    assert view.rooms[0].distinct["team"] == 2
    assert view.similar_pairs["team"] == 2
    attributes = planning.mixed_attributes(workshop)
    assert {planning.person_for(p, attributes).attributes["team"]
            for p in workshop.participants.all()} == {"blue", "red"}


def test_people_without_a_value_make_no_same_value_pairs(workshop):
    workshop.participants.update(attributes={})
    people = list(workshop.participants.all())
    view = plan_review.evaluate(
        workshop, {"rooms": [[p.pk for p in people]], "pinned": {}, "keep_apart": []}, people
    )
    assert view.similar_pairs["level"] == 0
    assert view.rooms[0].distinct["level"] == 0


def test_late_joiner_avoids_a_must_mix_attribute_first(workshop):
    people = {
        "Ana": ("Finance", "Lyon", "Director"), "Ben": ("HR", "Oslo", "Director"),
        "Cy": ("Sales", "Rome", "Manager"), "Di": ("IT", "Paris", "Manager"),
    }
    for name, (department, location, level) in people.items():
        workshop.participants.filter(name=name).update(
            department=department, location=location, attributes={"level": level}
        )
    ids = dict(workshop.participants.values_list("name", "pk"))
    workshop.draft_plan = {
        "seed": 1, "pinned": {}, "keep_apart": [],
        "rooms": [[ids["Ana"], ids["Ben"]], [ids["Cy"], ids["Di"]]],
        "mix": {"level": "must mix"},
    }
    workshop.save()
    services.start_breakouts(workshop)
    room1, room2 = Room.objects.filter(workshop=workshop).order_by("number")
    # Room 1 holds two Directors, room 2 a Sales manager. A Sales director adds a same-level
    # pair in room 1 and a same-department pair in room 2: the level must mix, so room 2.
    late = Participant.objects.create(
        workshop=workshop, name="Eve", department="Sales", location="Berlin",
        attributes={"level": "Director"},
    )
    assert services.place_late_joiner(late) == room2

    # With the level ignored, only the department counts: room 1.
    Workshop.objects.filter(pk=workshop.pk).update(
        draft_plan={**workshop.draft_plan, "mix": {"level": "ignore"}}
    )
    Participant.objects.filter(pk=late.pk).update(room=None)
    late.refresh_from_db()
    assert services.place_late_joiner(late) == room1


def test_each_person_has_named_move_and_pin_buttons_and_one_move_control_lists_every_room(
    facilitator_client, workshop
):
    response = facilitator_client.get(url(workshop))
    page = response.content.decode()
    # One room select for the whole page (a select per person was 9 MB at company scale).
    # The pair to keep apart or together, the mix levels, the move dialog.
    assert page.count("<select") == 2 + 3 + 1
    start = page.index('id="move-room"')
    options = page[start:page.index("</select>", start)]
    assert options.count("<option") == 2
    assert "selected" not in options
    for room in response.context["plan"].rooms:
        for member in room.members:
            hidden_name = f'<span class="visually-hidden"> {member.name}</span>'
            assert (f'form="plan-move-pick" name="move" value="{member.pk}"' in page)
            assert f'form="plan-pin-form" name="participant" value="{member.pk}"' in page
            assert page.count(hidden_name) == 2  # "Move Ana", "Pin Ana"


def test_the_move_dialog_opens_for_the_person_asked_without_a_script(
    facilitator_client, workshop
):
    facilitator_client.get(url(workshop))
    workshop.refresh_from_db()
    ana = workshop.participants.get(name="Ana")
    room = next(i for i, ids in enumerate(workshop.draft_plan["rooms"]) if ana.pk in ids) + 1
    page = facilitator_client.get(url(workshop), {"move": ana.pk}).content.decode()
    assert 'aria-labelledby="move-dialog-title" open>' in page
    assert ">Move Ana</h2>" in page
    assert f'<input type="hidden" name="participant" value="{ana.pk}">' in page
    start = page.index('id="move-room"')
    options = page[start:page.index("</select>", start)]
    assert f'<option value="{room}" selected>Room {room}</option>' in options
    for unknown in ("nobody", "999999"):  # a stale or garbled link shows the page as usual
        page = facilitator_client.get(url(workshop), {"move": unknown}).content.decode()
        assert 'aria-labelledby="move-dialog-title" open' not in page


def test_names_and_values_on_the_room_cards_are_escaped(facilitator_client, workshop):
    Participant.objects.create(
        workshop=workshop, name='<b>Bo & "Co"</b>', department="<i>Ops</i>",
        location="Lyon", attributes={"level": "<u>Lead</u>"},
    )
    page = facilitator_client.get(url(workshop)).content.decode()
    assert "<b>Bo" not in page and "<i>Ops" not in page and "<u>Lead" not in page
    assert "&lt;b&gt;Bo &amp; &quot;Co&quot;&lt;/b&gt;" in page
    assert '<span class="chip">&lt;i&gt;Ops&lt;/i&gt;</span>' in page
    assert '<span class="chip">&lt;u&gt;Lead&lt;/u&gt;</span>' in page


def test_pins_and_keep_apart_hold_when_a_level_must_mix(facilitator_client, workshop):
    facilitator_client.get(url(workshop))
    workshop.refresh_from_db()
    ids = dict(workshop.participants.values_list("name", "pk"))
    # Ana moves to the room she was not in, then stays there: the pin, not chance.
    pinned_room = next(i for i, room in enumerate(workshop.draft_plan["rooms"])
                       if ids["Ana"] not in room)
    facilitator_client.post(url(workshop, "plan_move"),
                            {"participant": ids["Ana"], "room": pinned_room + 1})
    facilitator_client.post(url(workshop, "plan_pin"), {"participant": ids["Ana"]})
    facilitator_client.post(url(workshop, "plan_apart_add"),
                            {"first": ids["Ben"], "second": ids["Cy"]})
    for seed_try in range(4):
        reshuffle(facilitator_client, workshop, level="must mix", department="ignore")
        workshop.refresh_from_db()
        rooms = workshop.draft_plan["rooms"]
        assert ids["Ana"] in rooms[pinned_room], seed_try
        assert not any({ids["Ben"], ids["Cy"]} <= set(room) for room in rooms)
    response = facilitator_client.get(url(workshop))
    assert "Level: as mixed as possible" in headline(response)


# -- headlines: plurals and a broken "Must mix" ---------------------------------------------


def lines_after_a_move(client, make_workshop, department_level):
    """Four people, two Sales and two Finance, in two rooms; one Sales person then moves
    into the other Sales person's room: one same-department pair above the best possible."""
    workshop = make_workshop(
        phase=Workshop.Phase.LOBBY, rooms=0, challenges=["Retention"], room_count=2,
        target_room_size=None,
    ).workshop
    for name, department, location in [("Ana", "Sales", "Lyon"), ("Ben", "Sales", "Oslo"),
                                       ("Cy", "Finance", "Lima"), ("Di", "Finance", "Rome")]:
        Participant.objects.create(workshop=workshop, name=name, department=department,
                                   location=location)
    client.post(url(workshop, "plan_reshuffle"),
                {"room_count": 2, "mix_department": department_level})
    workshop.refresh_from_db()
    ana, ben = (workshop.participants.get(name=n).pk for n in ("Ana", "Ben"))
    ana_room = next(i for i, room in enumerate(workshop.draft_plan["rooms"]) if ana in room)
    client.post(url(workshop, "plan_move"), {"participant": ben, "room": ana_room + 1})
    return client.get(url(workshop))


def test_one_pair_is_one_pair_in_the_headline(facilitator_client, make_workshop):
    response = lines_after_a_move(facilitator_client, make_workshop, "mix if possible")
    assert headline(response)[0] == "Departments: +1 same-department pair above the best possible"
    page = response.content.decode()
    assert "(1 same-department pair; fewest possible 0)" in page
    assert "(0 same-location pairs; fewest possible 0)" in page
    # The room left with one person says so in the singular, each count on its own.
    assert "1 person · 1 department · 1 location<" in page
    assert "3 people · 2 departments · 3 locations<" in page
    # Only a "Must mix" attribute above its bound is flagged.
    assert "Must mix: not met" not in page


def test_a_broken_must_mix_is_flagged_in_words(facilitator_client, make_workshop):
    response = lines_after_a_move(facilitator_client, make_workshop, "must mix")
    lines = response.context["plan"].lines()
    assert [line["broken"] for line in lines] == [True, False]
    page = response.content.decode()
    flagged = page.split('<li class="plan-line-broken">', 1)[1].split("</li>", 1)[0]
    assert "Must mix: not met" in flagged
    assert "Departments: +1 same-department pair above the best possible" in flagged
    assert page.count("Must mix: not met") == 1


def test_a_must_mix_at_its_bound_is_not_flagged(facilitator_client, workshop):
    reshuffle(facilitator_client, workshop, department="must mix", location="must mix",
              level="mix if possible")
    page = facilitator_client.get(url(workshop)).content.decode()
    assert "Departments: as mixed as possible" in page
    assert "Must mix: not met" not in page


def test_one_room_is_one_room(facilitator_client, workshop):
    facilitator_client.post(url(workshop, "plan_reshuffle"), {"room_count": 1})
    page = " ".join(facilitator_client.get(url(workshop)).content.decode().split())
    assert "4 people in 1 room." in page
    assert "4 people · 2 departments · 2 locations" in page
