"""The group-commit writer (live/writer.py) driven directly: a batch in which one op fails with
an unexpected error is rolled back and replayed one op at a time, so the other ops are stored
and acked and the failing one is answered `unavailable` with nothing of it stored; a refused
op (OpError) leaves its batch alone."""

import asyncio
import logging
import threading

import pytest

from live import writer as writer_module
from live.models import AppliedOp
from live.pipeline import Actor, OpError, OpTable
from live.writer import Job, Writer
from workshops.models import Workshop

pytestmark = pytest.mark.django_db(transaction=True)

WAIT = 10  # seconds; each step takes milliseconds when all is well


def challenge_table():
    """A test app's op table: `challenge.add` appends a challenge and announces the list."""
    table = OpTable("test")

    @table.register("challenge.add")
    def add(frame, actor):
        workshop = Workshop.objects.get(pk=actor.workshop_id)
        workshop.add_challenge(frame["title"])
        challenges = [
            {"id": c.pk, "title": c.title, "description": c.description}
            for c in workshop.challenges.all()
        ]
        return workshop.announce("challenges.changed", {"challenges": challenges})

    return table


class Batch:
    """Runs ops through a fresh Writer as ONE batch, replies arriving on a loop of our own.

    A first op ("gate") holds the writer inside its transaction until the others are queued,
    so the writer takes all of them at once, as it does under load.
    """

    def __init__(self, table, workshop, monkeypatch, fail=None):
        self.table = table
        self.actor = Actor(workshop_id=workshop.pk, user_id=workshop.owner_id, role="control")
        self.calls = []  # op ids, in the order the handler ran them
        self.inside, self.release = threading.Event(), threading.Event()
        handler = table.handlers["challenge.add"]

        def watched(frame, actor):
            self.calls.append(frame["id"])
            if frame["id"] == "gate":
                self.inside.set()
                assert self.release.wait(WAIT)
            if fail is not None:
                fail(frame)  # before writing, as handlers refuse
            rev = handler(frame, actor)
            if frame["id"] == "bad":
                raise RuntimeError("a bug in a handler, after it wrote")
            return rev

        monkeypatch.setitem(table.handlers, "challenge.add", watched)
        # No SQLite checkpointer thread for these writers: it would outlive the test and touch
        # the database during later tests that may not (the writers themselves go idle).
        monkeypatch.setattr(writer_module, "BACKGROUND_CHECKPOINTS", False)

    def run(self, titles):
        """Submits "gate" then one op per `{op id: title}`; returns the replies by op id."""
        loop = asyncio.new_event_loop()
        replies = {}
        all_replied = loop.create_future()

        def reply(frame):
            replies[frame["id"]] = frame
            if len(replies) == len(titles) + 1 and not all_replied.done():
                all_replied.set_result(None)

        def job(op_id, title):
            frame = {"op": "challenge.add", "id": op_id, "title": title}
            return Job(self.table, "challenge.add", frame, self.actor, loop, reply)

        writer = Writer()
        try:
            writer.submit(job("gate", "Gate"))
            assert self.inside.wait(WAIT), "the writer never ran the first op"
            for op_id, title in titles.items():
                writer.submit(job(op_id, title))
            self.release.set()
            try:
                loop.run_until_complete(asyncio.wait_for(all_replied, WAIT))
            except TimeoutError:
                raise AssertionError(f"not every op was answered: {replies}") from None
        finally:
            self.release.set()
            loop.close()
        return replies


def stored(workshop):
    """(challenge titles, claimed op ids, revision) as the database has them."""
    workshop.refresh_from_db()
    titles = list(workshop.challenges.values_list("title", flat=True))
    op_ids = set(AppliedOp.objects.filter(scope=workshop.pk).values_list("op_id", flat=True))
    return titles, op_ids, workshop.rev


def announced(events):
    return [(rev, [c["title"] for c in payload["challenges"]])
            for _type, rev, payload in events.triples()]


def test_an_op_failing_unexpectedly_is_replayed_alone_and_the_others_are_stored(
    make_workshop, capture_events, monkeypatch, caplog
):
    workshop = make_workshop(phase=Workshop.Phase.LOBBY, rooms=0, challenges=()).workshop
    batch = Batch(challenge_table(), workshop, monkeypatch)
    with capture_events() as events, caplog.at_level(logging.ERROR, logger="live.writer"):
        replies = batch.run({"a": "A", "bad": "Bad", "c": "C"})

    # The three were taken together; "bad" broke that transaction, which was rolled back, and
    # the three ran again, one transaction each.
    assert "writer: batch of 3 rolled back" in caplog.text
    assert batch.calls == ["gate", "a", "bad", "a", "bad", "c"]
    assert replies["gate"] == {"type": "ack", "id": "gate", "rev": 1}
    assert replies["a"] == {"type": "ack", "id": "a", "rev": 2}
    assert replies["c"] == {"type": "ack", "id": "c", "rev": 3}
    assert replies["bad"]["type"] == "error"
    assert replies["bad"]["code"] == "unavailable"
    # Nothing of the failing op: no challenge, no revision, no claim (a resend applies it),
    # and no event — nor any from the rolled-back first attempt.
    assert stored(workshop) == (["Gate", "A", "C"], {"gate", "a", "c"}, 3)
    assert announced(events) == [(1, ["Gate"]), (2, ["Gate", "A"]), (3, ["Gate", "A", "C"])]


def test_a_refused_op_leaves_the_rest_of_its_batch_alone(
    make_workshop, capture_events, monkeypatch, caplog
):
    def refuse(frame):
        if frame["id"] == "no":
            raise OpError("forbidden", "Not you.")

    workshop = make_workshop(phase=Workshop.Phase.LOBBY, rooms=0, challenges=()).workshop
    batch = Batch(challenge_table(), workshop, monkeypatch, fail=refuse)
    with capture_events() as events, caplog.at_level(logging.ERROR, logger="live.writer"):
        replies = batch.run({"a": "A", "no": "No", "c": "C"})

    assert "rolled back" not in caplog.text
    assert batch.calls == ["gate", "a", "no", "c"]  # one pass, no replay
    assert replies["no"] == {"type": "error", "id": "no", "code": "forbidden",
                             "message": "Not you."}
    assert (replies["a"]["rev"], replies["c"]["rev"]) == (2, 3)
    assert stored(workshop) == (["Gate", "A", "C"], {"gate", "a", "c"}, 3)
    assert announced(events) == [(1, ["Gate"]), (2, ["Gate", "A"]), (3, ["Gate", "A", "C"])]
