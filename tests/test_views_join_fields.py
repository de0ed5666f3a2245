"""The join page's blank form fields, drawn once per process for each workshop setup
(workshops/views/join.py `_participant_fields`): never another workshop's, never stale."""

import pytest
from django.test import Client
from test_views_join import join, join_url

from workshops.models import Participant, Workshop

pytestmark = pytest.mark.django_db


def test_blank_join_forms_show_each_workshops_own_fields_and_suggestions(
    make_workshop, monkeypatch
):
    from workshops.views import join as join_views

    monkeypatch.setattr(join_views, "_blank_fields", {})
    free, _rooms, _people = make_workshop(phase=Workshop.Phase.LOBBY, rooms=0)
    fixed, _rooms, _people = make_workshop(phase=Workshop.Phase.LOBBY, rooms=0,
                                           departments="Legal\nFinance")
    Participant.objects.create(workshop=free, name="Bo", department="Support", location="Oslo")
    free.attributes.create(label="Team", kind="choices", choices="Red\nBlue")

    def page(workshop):
        return Client().get(join_url(workshop)).content.decode()

    first = page(free)
    assert 'value="Support"' in first and "Red" in first and "Legal" not in first
    other = page(fixed)
    assert "Legal" in other and "Support" not in other and "Red" not in other
    another, _rooms, _people = make_workshop(phase=Workshop.Phase.LOBBY, rooms=0,
                                             departments="Audit\nDesign")
    assert "Audit" in page(another) and "Legal" not in page(another)
    Participant.objects.create(workshop=free, name="Cy", department="Quality", location="Oslo")
    later = page(free)
    assert 'value="Quality"' in later and 'value="Support"' in later
    assert len(join_views._blank_fields) == 4
    # A filled-in form shows what this person typed, never a blank one from the store.
    typed = join(Client(), free, name="", department="Dept of Ann").content.decode()
    assert 'value="Dept of Ann"' in typed and "This field is required." in typed
    assert 'value="Dept of Ann"' not in page(free)
