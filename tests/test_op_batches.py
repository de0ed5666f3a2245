"""The writer's batches: one transaction, the batch's claims and revisions in one statement
each, note writes read ahead and written behind (live/pipeline.py, live/sql.py). A batch
must leave exactly what the same ops applied one by one leave, in the same order."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from breakouts.models import Item, Note, Room, Step
from breakouts.ops import ROOM_OPS
from live import pipeline, sql
from live.models import AppliedOp
from live.writer import Job

pytestmark = pytest.mark.django_db


def scribe_of(room):
    return pipeline.Actor(
        workshop_id=room.workshop_id, room_id=room.pk, participant_id=room.scribe_id, tab="a"
    )


def note_set(room, op_id, text, step="define", base_rev=0, actor=None):
    frame = {"id": op_id, "step": step, "text": text, "base_rev": base_rev}
    return Job(ROOM_OPS, "note.set", frame, actor or scribe_of(room), None, None)


def item_add(room, op_id, text):
    frame = {"id": op_id, "step": Step.ROOT_CAUSES, "fields": {"text": text}}
    return Job(ROOM_OPS, "item.add", frame, scribe_of(room), None, None)


def run_batch(jobs):
    with transaction.atomic():
        return pipeline.replies_to(jobs)


def test_a_batch_applies_its_ops_in_order_as_one_by_one(make_workshop, capture_events):
    """Two note writes and an item in one room, between writes in another: every op sees
    the ones before it (the item's revision follows the notes' deferred writes)."""
    _workshop, (first, second), _people = make_workshop(rooms=2, members=2)
    with capture_events() as events:
        replies = run_batch([
            note_set(first, "a1", "one"),
            note_set(second, "b1", "elsewhere"),
            note_set(first, "a2", "two"),
            item_add(first, "a3", "A cause"),
        ])
    assert [reply["type"] for reply in replies] == ["ack"] * 4
    assert [reply["rev"] for reply in replies] == [1, 1, 2, 3]
    first.refresh_from_db()
    assert first.rev == 3
    assert first.last_activity_at is not None
    note = Note.objects.get(room=first, step="define")
    assert (note.text, note.rev) == ("two", 2)
    assert Note.objects.get(room=second, step="define").text == "elsewhere"
    assert Item.objects.get(room=first).text == "A cause"
    assert [(event["type"], event["rev"]) for event in events if event["room"] == first.number] == [
        ("note.changed", 1), ("note.changed", 2), ("item.added", 3),
    ]
    stored = dict(AppliedOp.objects.values_list("op_id", "rev"))
    assert stored == {"a1": 1, "b1": 1, "a2": 2, "a3": 3}


def test_an_op_id_twice_in_one_batch_is_applied_once_and_acked_twice(make_workshop):
    _workshop, (room,), _people = make_workshop(rooms=1, members=2)
    replies = run_batch([note_set(room, "same", "once"), note_set(room, "same", "twice")])
    assert replies == [{"type": "ack", "id": "same", "rev": 1}] * 2
    assert Note.objects.get(room=room).text == "once"
    assert AppliedOp.objects.get(op_id="same").rev == 1


def test_a_refused_op_in_a_batch_leaves_the_others_and_withdraws_its_claim(make_workshop):
    """A conflict from another writer is refused; the ops around it are stored."""
    _workshop, (room, other), people = make_workshop(rooms=2, members=2)
    run_batch([note_set(room, "first", "by the scribe")])
    laptop = pipeline.Actor(
        workshop_id=room.workshop_id, room_id=room.pk, participant_id=room.scribe_id, tab="b"
    )
    replies = run_batch([
        note_set(other, "before", "fine"),
        note_set(room, "stale", "from another tab", base_rev=0, actor=laptop),
        note_set(other, "after", "fine too", base_rev=1),
    ])
    assert [reply["type"] for reply in replies] == ["ack", "error", "ack"]
    assert replies[1]["code"] == "conflict"
    assert replies[1]["current"] == {"step": "define", "text": "by the scribe", "note_rev": 1}
    assert Note.objects.get(room=room).text == "by the scribe"
    assert Note.objects.get(room=other).text == "fine too"
    assert not AppliedOp.objects.filter(op_id="stale").exists()


def test_a_batch_of_note_writes_takes_the_same_round_trips_whatever_its_size(make_workshop):
    """Claims, the rooms read ahead, the writes and the revisions: on PostgreSQL three round
    trips for ten rooms as for one (each statement separately on SQLite)."""
    _workshop, rooms, _people = make_workshop(rooms=10, members=1)

    def statements(batch_rooms, tag):
        with CaptureQueriesContext(connection) as queries:
            replies = run_batch([note_set(room, f"{tag}{room.pk}", tag) for room in batch_rooms])
        assert all(reply["type"] == "ack" for reply in replies)
        return len([q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]])

    one, ten = statements(rooms[:1], "x"), statements(rooms, "y")
    if sql.binds_on_client():
        assert one == ten == 3
    else:  # claims, 2 reads ahead, 2 writes a room, revisions
        assert (one, ten) == (1 + 2 + 2 + 1, 1 + 2 + 20 + 1)
    assert set(Note.objects.values_list("text", flat=True)) == {"y"}


def test_a_note_write_in_an_earlier_rounds_room_is_refused(make_workshop):
    workshop, (room,), _people = make_workshop(rooms=1, members=2)
    workshop.current_round = 2
    workshop.save(update_fields=["current_round"])
    replies = run_batch([note_set(room, "late", "after the round"), item_add(room, "i", "x")])
    assert [reply.get("code") for reply in replies] == ["forbidden", "forbidden"]
    assert all("round is over" in reply["message"] for reply in replies)
    assert not Note.objects.exists()
    assert Room.objects.get(pk=room.pk).rev == 0


def test_a_deferred_write_is_sent_before_any_other_query(make_workshop):
    _workshop, (room,), _people = make_workshop(rooms=1, members=1)
    with transaction.atomic(), sql.writing_behind():
        sql.defer("UPDATE breakouts_room SET rev = %s WHERE id = %s", [7, room.pk])
        assert Room.objects.get(pk=room.pk).rev == 7  # an ORM query: flushed first


def test_a_deferred_write_that_misses_its_row_fails_the_batch(make_workshop):
    """A bump of a revision that moved meanwhile (a lock not held) must not pass unseen."""
    _workshop, (room,), _people = make_workshop(rooms=1, members=1)
    with pytest.raises(sql.DeferredWriteFailed), transaction.atomic(), sql.writing_behind():
        sql.defer(
            "UPDATE breakouts_room SET rev = 9 WHERE id = %s AND rev = 8 RETURNING id",
            [room.pk], rows=1,
        )
    assert Room.objects.get(pk=room.pk).rev == 0


def test_a_note_write_after_another_change_of_its_room_in_the_batch_reads_it_again(
    make_workshop,
):
    """The room was read ahead for the note write, then an item changed it: the note write
    must build on the item's revision (not fail the batch, not reuse a stale one)."""
    _workshop, (room,), _people = make_workshop(rooms=1, members=2)
    replies = run_batch([item_add(room, "i", "A cause"), note_set(room, "n", "after it")])
    assert [(reply["type"], reply["rev"]) for reply in replies] == [("ack", 1), ("ack", 2)]
    assert Note.objects.get(room=room).rev == 2
    assert Room.objects.get(pk=room.pk).rev == 2


def test_claims_and_revisions_of_a_long_batch_go_in_several_statements(
    make_workshop, monkeypatch,
):
    monkeypatch.setattr(pipeline, "ROWS_PER_STATEMENT", 2)
    _workshop, rooms, _people = make_workshop(rooms=5, members=1)
    replies = run_batch([note_set(room, f"n{room.pk}", "text") for room in rooms])
    assert [(reply["type"], reply["rev"]) for reply in replies] == [("ack", 1)] * 5
    assert dict(AppliedOp.objects.values_list("op_id", "rev")) == {
        f"n{room.pk}": 1 for room in rooms
    }
