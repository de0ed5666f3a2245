import pytest
from django.urls import reverse
from report_helpers import make_workshop, member, sign_in_participant

from breakouts.models import Room
from followup.network import connection_counts
from workshops.models import Participant, Workshop

pytestmark = pytest.mark.django_db


def url(name, workshop):
    return reverse(f"report:{name}", args=[workshop.join_code])


def parse_vcards(text):
    """Returns a list of vCards (dicts of property name → unescaped value)."""
    cards, current = [], None
    for line in text.replace("\r\n ", "").split("\r\n"):
        if line == "BEGIN:VCARD":
            current = {}
        elif line == "END:VCARD":
            cards.append(current)
        elif line:
            name, _sep, value = line.partition(":")
            current[name] = (value.replace("\\n", "\n").replace("\\,", ",")
                             .replace("\\;", ";").replace("\\\\", "\\"))
    return cards


@pytest.fixture
def workshop(facilitator):
    workshop = make_workshop(facilitator, rooms=2, phase=Workshop.Phase.PLENARY)
    Participant.objects.filter(name="R1 P1").update(share="email")
    Participant.objects.filter(name="R1 P2").update(share="handle", chat_handle="@p2, the; best")
    return workshop


def test_participant_sees_room_mates_with_only_the_contacts_they_shared(client, workshop):
    sign_in_participant(client, member(workshop, 1, 0))
    response = client.get(url("network", workshop))
    assert response.status_code == 200
    mates = response.context["mates"]
    assert [m.name for m in mates] == ["R1 P1", "R1 P2"]
    html = response.content.decode()
    assert "r1p1@example.com" in html            # opted in to e-mail
    assert "@p2, the; best" in html               # opted in to a handle
    assert "r1p2@example.com" not in html         # shared a handle, not the e-mail
    assert "r1p0@example.com" not in html.split("network-mates")[1].split("</ul>")[0]
    assert "R2 P0" not in html


def test_nobodys_email_is_shown_without_opt_in(client, workshop):
    Participant.objects.filter(workshop=workshop).update(share="nothing")
    sign_in_participant(client, member(workshop, 1, 0))
    html = client.get(url("network", workshop)).content.decode()
    body = client.get(url("network_vcf", workshop)).content.decode()
    for address in ("r1p1@example.com", "r1p2@example.com"):
        assert address not in html and address not in body


def test_network_waits_until_the_participant_has_a_room(client, facilitator):
    workshop = make_workshop(facilitator, rooms=1, phase=Workshop.Phase.LOBBY)
    loner = Participant.objects.create(workshop=workshop, name="Late", department="IT",
                                       location="Lima")
    sign_in_participant(client, loner)
    response = client.get(url("network", workshop))
    assert response.status_code == 200
    assert response.context["visible"] is False
    assert client.get(url("network_vcf", workshop)).status_code == 404


def test_participant_chooses_what_to_share(client, workshop):
    me = member(workshop, 1, 0)
    sign_in_participant(client, me)
    response = client.post(url("network", workshop),
                           {"share": "handle", "email": me.email, "chat_handle": ""})
    assert response.status_code == 200
    assert "Give the chat handle" in response.content.decode()
    response = client.post(url("network", workshop),
                           {"share": "handle", "email": me.email, "chat_handle": "@me"})
    assert response.status_code == 302
    me.refresh_from_db()
    assert (me.share, me.chat_handle, me.shared_contact) == ("handle", "@me", "@me")
    response = client.post(url("network", workshop), {"share": "email", "email": ""})
    assert "Give the e-mail" in response.content.decode()


def test_vcard_download_has_a_card_per_room_mate_escaped(client, workshop):
    Participant.objects.filter(name="R1 P1").update(department="R&D, Labs; East")
    sign_in_participant(client, member(workshop, 1, 0))
    response = client.get(url("network_vcf", workshop))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/vcard")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert "ORG:R&D\\, Labs\\; East" in text
    cards = parse_vcards(text)
    assert [c["FN"] for c in cards] == ["R1 P1", "R1 P2"]
    assert all(c["VERSION"] == "3.0" for c in cards)
    assert cards[0]["N"] == "P1;R1;;;"
    assert cards[0]["EMAIL;TYPE=INTERNET"] == "r1p1@example.com"
    assert "EMAIL;TYPE=INTERNET" not in cards[1]
    assert cards[1]["X-ROUNDTABLE-CHAT"] == "@p2, the; best"


def test_network_pages_are_404_for_strangers(client, outsider_client, workshop, facilitator):
    for name in ("network", "network_vcf"):
        assert client.get(url(name, workshop)).status_code == 404
        assert outsider_client.get(url(name, workshop)).status_code == 404
    other = make_workshop(facilitator, rooms=1, title="Other")
    sign_in_participant(client, member(other, 1))
    assert client.get(url("network", workshop)).status_code == 404


def test_facilitator_sees_the_new_connections(facilitator_client, workshop):
    response = facilitator_client.get(url("network", workshop))
    assert response.status_code == 200
    assert response.context["connections"]["pairs"] == 6


# -- counting new connections ---------------------------------------------------------------------


def people(workshop, room, rows):
    return [
        Participant.objects.create(workshop=workshop, room=room, name=name, department=dept,
                                   location=loc, email=email)
        for name, dept, loc, email in rows
    ]


def test_connections_count_cross_department_and_cross_location_pairs(facilitator):
    workshop = Workshop.objects.create(owner=facilitator, title="W")
    room = Room.objects.create(workshop=workshop, number=1)
    people(workshop, room, [
        ("A", "Sales", "Berlin", "a@x.org"),
        ("B", "sales ", "Lima", "b@x.org"),
        ("C", "IT", "Berlin", ""),
    ])
    # A-B: same department, different location; A-C: cross dept; B-C: both.
    assert connection_counts(workshop) == {
        "pairs": 3, "new_pairs": 3, "cross_department": 2, "cross_location": 2,
        "rounds": [{"round": 1, "pairs": 3, "new_pairs": 3, "cross_department": 2,
                    "cross_location": 2}],
    }


def test_pairs_who_met_in_the_facilitators_earlier_workshop_are_not_new(facilitator, outsider):
    earlier = Workshop.objects.create(owner=facilitator, title="Earlier")
    old_room = Room.objects.create(workshop=earlier, number=1)
    people(earlier, old_room, [("A", "Sales", "Berlin", "A@x.org"), ("B", "IT", "Lima", "b@x.org"),
                               ("C", "HR", "Lagos", "")])
    elsewhere = Workshop.objects.create(owner=outsider, title="Someone else's")
    people(elsewhere, Room.objects.create(workshop=elsewhere, number=1),
           [("A", "Sales", "Berlin", "a@x.org"), ("D", "HR", "Lagos", "d@x.org")])

    workshop = Workshop.objects.create(owner=facilitator, title="Now")
    room = Room.objects.create(workshop=workshop, number=1)
    people(workshop, room, [("A", "Sales", "Berlin", "a@x.org"), ("B", "IT", "Lima", "b@x.org"),
                            ("C", "HR", "Lagos", ""), ("D", "HR", "Lagos", "d@x.org")])
    counts = connection_counts(workshop)
    # 6 pairs; A-B met before (e-mail case ignored); C has no e-mail, so C's pairs are new;
    # A-D met only in another facilitator's workshop, so it is new.
    assert counts["pairs"] == 6
    assert counts["new_pairs"] == 5
    # New pairs: A-C, A-D, B-C, B-D (all cross-dept), C-D (same dept and location).
    assert counts["cross_department"] == 4
    assert counts["cross_location"] == 4
    # A later workshop does not count as "earlier".
    assert connection_counts(earlier)["new_pairs"] == 3
