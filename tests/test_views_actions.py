from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from report_helpers import make_workshop, member, sign_in_participant

from breakouts.models import Item, Step

pytestmark = pytest.mark.django_db


def url(name, workshop):
    return reverse(f"report:{name}", args=[workshop.join_code])


def task(text):
    return Item.objects.get(step=Step.PLAN, text=text)


# -- My actions -----------------------------------------------------------------------------------


def test_owner_sees_only_their_own_action_items(client, facilitator):
    workshop = make_workshop(facilitator, rooms=2)
    sign_in_participant(client, member(workshop, 1, 1))
    html = client.get(url("my_actions", workshop)).content.decode()
    assert "Task 1.1" in html
    assert "Task 1.0" not in html and "Task 2.1" not in html


def test_owner_marks_progress_with_a_note_and_the_version_grows(client, facilitator):
    workshop = make_workshop(facilitator, rooms=1)
    sign_in_participant(client, member(workshop, 1, 1))
    item = task("Task 1.1")
    response = client.post(url("my_actions", workshop), {
        "item": item.pk,
        f"item-{item.pk}-status": Item.Status.BLOCKED,
        f"item-{item.pk}-status_note": "Waiting for budget",
    })
    assert response.status_code == 302
    updated = task("Task 1.1")
    assert updated.status == Item.Status.BLOCKED
    assert updated.status_note == "Waiting for budget"
    assert updated.version == item.version + 1


def test_an_invalid_status_shows_an_error_and_changes_nothing(client, facilitator):
    workshop = make_workshop(facilitator, rooms=1)
    sign_in_participant(client, member(workshop, 1, 1))
    item = task("Task 1.1")
    response = client.post(url("my_actions", workshop), {
        "item": item.pk, f"item-{item.pk}-status": "finished", f"item-{item.pk}-status_note": "",
    })
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert task("Task 1.1").status == Item.Status.NOT_STARTED


def test_nobody_can_update_someone_elses_action_item(client, facilitator):
    workshop = make_workshop(facilitator, rooms=2)
    sign_in_participant(client, member(workshop, 1, 1))
    for text in ("Task 1.0", "Task 2.1"):
        item = task(text)
        response = client.post(url("my_actions", workshop), {
            "item": item.pk, f"item-{item.pk}-status": "done",
        })
        assert response.status_code == 404
        assert task(text).status == Item.Status.NOT_STARTED


def test_my_actions_is_404_for_strangers(client, facilitator_client, outsider_client, facilitator):
    workshop = make_workshop(facilitator, rooms=1)
    assert client.get(url("my_actions", workshop)).status_code == 404
    assert outsider_client.get(url("my_actions", workshop)).status_code == 404
    # A facilitator is not an owner of action items.
    assert facilitator_client.get(url("my_actions", workshop)).status_code == 404
    other = make_workshop(facilitator, rooms=1, title="Other")
    sign_in_participant(client, member(other, 1))
    assert client.get(url("my_actions", workshop)).status_code == 404


def test_my_actions_marks_overdue_items(client, facilitator):
    workshop = make_workshop(facilitator, rooms=1)
    sign_in_participant(client, member(workshop, 1, 1))
    with time_machine.travel(date(2026, 12, 10), tick=False):
        html = client.get(url("my_actions", workshop)).content.decode()
    assert "overdue" in html


# -- the tracker ----------------------------------------------------------------------------------


@time_machine.travel(date(2026, 12, 2), tick=False)
def test_tracker_counts_statuses_and_highlights_overdue_items(facilitator_client, facilitator):
    workshop = make_workshop(facilitator, rooms=2)
    Item.objects.filter(text="Task 1.0").update(status=Item.Status.DONE)  # due 12-01, done
    Item.objects.filter(text="Task 2.1").update(status=Item.Status.BLOCKED)
    response = facilitator_client.get(url("tracker", workshop))
    assert response.status_code == 200
    context = response.context
    counts = {s["value"]: s["count"] for s in context["status_counts"]}
    assert counts == {"not_started": 4, "in_progress": 0, "done": 1, "blocked": 1}
    overdue = {row["item"].text for row in context["rows"] if row["overdue"]}
    assert overdue == {"Task 2.0"}  # due 12-01, not done; 12-02 is due today, not overdue
    assert context["overdue_count"] == 1
    assert response.content.decode().count("tracker-row-overdue") == 1


def test_tracker_filters_by_room_and_owner(facilitator_client, facilitator):
    workshop = make_workshop(facilitator, rooms=2)
    rows = facilitator_client.get(url("tracker", workshop) + "?room=2").context["rows"]
    assert {row["item"].room.number for row in rows} == {2}
    owner = member(workshop, 1, 2)
    rows = facilitator_client.get(url("tracker", workshop) + f"?owner={owner.pk}").context["rows"]
    assert [row["item"].text for row in rows] == ["Task 1.2"]
    rows = facilitator_client.get(url("tracker", workshop) + "?room=x").context["rows"]
    assert len(rows) == 6


def test_tracker_is_for_the_workshops_facilitators_only(client, outsider_client, facilitator):
    workshop = make_workshop(facilitator, rooms=1)
    assert outsider_client.get(url("tracker", workshop)).status_code == 404
    anonymous = client.get(url("tracker", workshop))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    sign_in_participant(client, member(workshop, 1))
    assert client.get(url("tracker", workshop)).status_code == 302


def test_tracker_query_count_does_not_grow_with_items(facilitator_client, facilitator):
    small = make_workshop(facilitator, rooms=1, per_room=2, title="Small")
    large = make_workshop(facilitator, rooms=6, per_room=5, title="Large")
    counts = []
    for workshop in (small, large):
        facilitator_client.get(url("tracker", workshop))
        with CaptureQueriesContext(connection) as queries:
            facilitator_client.get(url("tracker", workshop))
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_tracker_shows_fifty_items_a_page_and_finds_owners_by_name(facilitator_client,
                                                                     facilitator):
    workshop = make_workshop(facilitator, rooms=12, per_room=5)  # 60 action items
    response = facilitator_client.get(url("tracker", workshop))
    assert len(response.context["rows"]) == 50
    content = response.content.decode()
    assert "1–50 of 60 action items" in content
    assert 'aria-label="Pages of the action items"' in content and 'aria-current="page"' in content
    counts = {s["value"]: s["count"] for s in response.context["status_counts"]}
    assert counts["not_started"] == 60  # the counts cover every page
    rows = facilitator_client.get(url("tracker", workshop) + "?page=2").context["rows"]
    assert [row["item"].room.number for row in rows] == [11] * 5 + [12] * 5
    response = facilitator_client.get(url("tracker", workshop) + "?room=3&who=r3+p1")
    assert [row["item"].text for row in response.context["rows"]] == ["Task 3.1"]
    response = facilitator_client.get(url("tracker", workshop) + "?who=r3&page=1")
    assert 'name="who" value="r3"' in response.content.decode()


def test_tracker_rows_print_room_due_date_and_status_label(facilitator_client, facilitator):
    workshop = make_workshop(facilitator, rooms=2)
    Item.objects.filter(text="Task 2.1").update(status=Item.Status.BLOCKED, due_date=None)
    html = facilitator_client.get(url("tracker", workshop)).content.decode()
    assert '<option value="2">Room 2</option>' in html
    assert '<time datetime="2026-12-02">Dec 2, 2026</time>' in html
    row = html[html.index("Task 2.1"):].split("</tr>")[0]
    assert '<td data-label="Due date">—</td>' in row and ">Blocked</td>" in row
    workshop.rounds = 2
    workshop.save(update_fields=["rounds"])
    html = facilitator_client.get(url("tracker", workshop)).content.decode()
    assert '<td data-label="Room">Round 1 · Room 2</td>' in html
