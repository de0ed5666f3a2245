"""The dashboard's roster at company scale: one page at a time, newest first, searchable, the
same part served alone for live updates (workshops/views/roster.py)."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from workshops.models import Participant, Workshop
from workshops.views.roster import ROSTER_PAGE_SIZE

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowd(make_workshop):
    """A lobby of 120 people: "Person 000" joined first, "Person 119" last; every fourth one
    in Finance, the others in Sales; locations Oslo and Lima."""
    workshop = make_workshop(phase=Workshop.Phase.LOBBY, rooms=0).workshop
    start = timezone.now() - dt.timedelta(hours=1)
    Participant.objects.bulk_create(
        Participant(workshop=workshop, name=f"Person {i:03d}",
                    department="Finance" if i % 4 == 0 else "Sales",
                    location="Oslo" if i % 2 else "Lima", email=f"p{i}@example.com",
                    joined_at=start + dt.timedelta(seconds=i))
        for i in range(120)
    )
    return workshop


def names(response):
    return [p.name for p in response.context["roster_page"].object_list]


def test_the_roster_shows_one_page_newest_first(facilitator_client, crowd):
    response = facilitator_client.get(crowd.get_absolute_url())
    assert names(response) == [f"Person {i:03d}" for i in range(119, 119 - ROSTER_PAGE_SIZE, -1)]
    content = response.content.decode()
    assert "Person 119" in content and "Person 000" not in content
    assert "1–50 of 120 participants" in content
    assert response.context["roster_total"] == 120
    # The counts cover the whole workshop, not the page.
    assert response.context["counts"] == {"department": {"Finance": 30, "Sales": 90},
                                          "location": {"Lima": 60, "Oslo": 60}}


def test_pages_are_links_with_the_current_one_marked(facilitator_client, crowd):
    response = facilitator_client.get(crowd.get_absolute_url() + "?page=3")
    assert names(response)[-1] == "Person 000"
    content = response.content.decode()
    nav = re.search(r'<nav aria-label="Pages of the roster">(.*?)</nav>', content, re.S).group(1)
    current = re.findall(r'<a [^>]*aria-current="page"[^>]*>(.*?)</a>', nav, re.S)
    assert len(current) == 1 and current[0].endswith("3")
    assert 'href="?page=2#roster-heading">Previous' in nav
    assert "Next" not in nav


def test_a_page_out_of_range_shows_the_last(facilitator_client, crowd):
    for page in ("99", "abc"):
        response = facilitator_client.get(crowd.get_absolute_url() + f"?page={page}")
        assert response.status_code == 200
    assert names(facilitator_client.get(crowd.get_absolute_url() + "?page=99"))[-1] == "Person 000"


def test_search_matches_every_word_in_name_department_location_or_email(facilitator_client,
                                                                        crowd):
    get = facilitator_client.get
    url = crowd.get_absolute_url()
    assert names(get(url, {"q": "person 11"})) == [
        *(f"Person {i}" for i in range(119, 109, -1)), "Person 011"]
    assert len(get(url, {"q": "finance"}).context["roster_page"].object_list) == 30
    assert names(get(url, {"q": "FINANCE oslo"})) == []  # Finance people are all in Lima
    assert names(get(url, {"q": "p7@example"})) == ["Person 007"]
    response = get(url, {"q": "finance lima", "page": "1"})
    content = response.content.decode()
    assert "1–30 of 30 participants matching “finance lima”" in content
    assert response.context["roster_total"] == 120  # the heading still counts everyone
    assert 'value="finance lima"' in content


def test_search_pages_keep_the_query_and_nothing_found_says_so(facilitator_client, crowd):
    content = facilitator_client.get(crowd.get_absolute_url(), {"q": "sales"}).content.decode()
    assert 'href="?q=sales&amp;page=2#roster-heading"' in content
    content = facilitator_client.get(crowd.get_absolute_url(), {"q": "<b>zed"}).content.decode()
    assert "Nobody matches “&lt;b&gt;zed”." in content
    assert "<b>zed" not in content


def test_the_search_field_is_labelled(facilitator_client, crowd):
    content = facilitator_client.get(crowd.get_absolute_url()).content.decode()
    assert '<label id="roster-search-label" for="roster-q"' in content
    assert 'role="search"' in content and 'name="q"' in content


def test_the_roster_part_alone_is_what_the_page_shows(facilitator_client, crowd):
    url = reverse("workshops:roster", args=[crowd.join_code])
    response = facilitator_client.get(url, {"q": "finance", "page": "1"})
    assert response.status_code == 200
    assert response.context["roster_total"] == 120
    content = response.content.decode()
    assert "data-roster-results" in content
    assert 'data-total="120"' in content and "Person 116" in content
    assert "Person 117" not in content  # Sales
    assert "<html" not in content


def test_an_empty_workshop_says_nobody_joined(facilitator_client, make_workshop):
    workshop = make_workshop(phase=Workshop.Phase.LOBBY, rooms=0).workshop
    content = facilitator_client.get(workshop.get_absolute_url()).content.decode()
    assert "Nobody has joined yet." in content
    assert "Pages of the roster" not in content


def test_outsider_and_anonymous_cannot_read_the_roster_part(outsider_client, client, crowd):
    url = reverse("workshops:roster", args=[crowd.join_code])
    assert outsider_client.get(url).status_code == 404
    assert client.get(url).status_code == 302  # asked to log in


def test_a_roster_row_shows_the_person_escaped_with_a_named_remove_button(facilitator_client,
                                                                          crowd):
    person = Participant.objects.create(workshop=crowd, name='<b>Bo & "Co"</b>',
                                        department="<i>Ops</i>", location="Lyon")
    content = facilitator_client.get(crowd.get_absolute_url()).content.decode()
    assert "<b>Bo" not in content and "<i>Ops" not in content
    row = content[content.index(f'<tr data-participant-id="{person.pk}"'):]
    row = row[:row.index("</tr>")]
    name = "&lt;b&gt;Bo &amp; &quot;Co&quot;&lt;/b&gt;"
    assert f'<td data-field="name" data-label="Name">{name}</td>' in row
    assert '<td data-field="department" data-label="Department">&lt;i&gt;Ops&lt;/i&gt;</td>' in row
    remove = reverse("workshops:participant_remove", args=[crowd.join_code, person.pk])
    assert f'<form method="post" action="{remove}"' in row
    assert 'name="csrfmiddlewaretoken"' in row
    assert f'Remove<span class="visually-hidden"> <span data-field="name">{name}</span>' in row
