"""The roster everyone in a workshop sees, read with one plain query and shared
(workshops/public_roster.py): it must say exactly what the ORM and Participant.public() say."""

import datetime as dt
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from workshops import public_roster, services
from workshops.access import remember_participant
from workshops.models import Participant
from workshops.public_roster import roster
from workshops.snapshot import encoded_workshop_state, workshop_state

pytestmark = pytest.mark.django_db


def orm_roster(workshop):
    return [p.public() for p in workshop.participants.order_by("joined_at", "pk")]


def add(workshop, name, department="Sales", location="Lyon", **fields):
    return Participant.objects.create(
        workshop=workshop, name=name, department=department, location=location, **fields
    )


def test_roster_is_what_the_orm_and_public_say_in_joining_order(workshop):
    same_moment = dt.datetime(2026, 11, 2, 9, 30, 15, 123456, tzinfo=dt.UTC)
    add(workshop, "Zoë", "Finance", "Oslo", joined_at=same_moment)
    add(workshop, "Åsa", "", "Lyon", joined_at=same_moment)
    add(workshop, "Early", "Sales", "", joined_at=same_moment - dt.timedelta(hours=1))
    add(workshop, "Ben <b>", "sales", "Lyon", email="ben@example.com")
    everyone = roster(workshop.pk)
    assert everyone.people == orm_roster(workshop)
    assert [p["name"] for p in everyone.people] == ["Early", "Zoë", "Åsa", "Ben <b>"]
    assert json.loads(everyone.people.text) == everyone.people
    assert everyone.counts == {
        "department": Participant.objects.filter(workshop=workshop).label_counts("department"),
        "location": Participant.objects.filter(workshop=workshop).label_counts("location"),
    }
    assert everyone.rev == type(workshop).objects.get(pk=workshop.pk).rev
    assert "ben@example.com" not in everyone.people.text


def test_a_changed_row_is_never_drawn_from_the_old_one(workshop):
    ben = add(workshop, "Ben")
    assert roster(workshop.pk).people[0]["name"] == "Ben"
    Participant.objects.filter(pk=ben.pk).update(name="Benjamin", location="Oslo")  # unannounced
    assert roster(workshop.pk).people == orm_roster(workshop)
    ben.delete()
    assert roster(workshop.pk).people == [] and roster(workshop.pk).people.text == "[]"


def test_a_roster_is_reused_only_at_its_own_revision(workshop, monkeypatch):
    monkeypatch.setattr(public_roster, "ROSTER_TTL", 60.0)
    monkeypatch.setattr(public_roster, "_rosters", {})
    services.join_workshop(workshop, name="Ana", department="Sales", location="Lyon")
    first = roster(workshop.pk)
    assert roster(workshop.pk) is first
    services.join_workshop(workshop, name="Ben", department="Sales", location="Lyon")
    second = roster(workshop.pk)
    assert second.rev == first.rev + 1
    assert [p["name"] for p in second.people] == ["Ana", "Ben"]


def test_the_encoded_workshop_state_is_the_workshop_state(workshop):
    add(workshop, "Ana")
    add(workshop, 'Quote " and </script>')
    text = encoded_workshop_state(workshop)
    assert json.loads(text) == workshop_state(workshop)


def test_the_lobby_embeds_the_roster_safely_for_its_script(workshop):
    add(workshop, "Ana")
    me = add(workshop, "</script><script>alert(1)</script> & co")
    client = Client()
    session = client.session
    remember_participant(session, me)
    session.save()
    content = client.get(reverse("workshops:lobby", args=[workshop.join_code])).content.decode()
    embedded = re.search(r'<script id="roster-data" type="application/json">(.*?)</script>',
                         content, re.S).group(1)
    assert "<" not in embedded and "&" not in embedded
    assert json.loads(embedded) == orm_roster(workshop)
