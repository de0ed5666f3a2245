"""`note.edit`: the scribe's note streamed as small edits, transformed when writers overlap
(docs/protocol.md, "Note edits"; breakouts/textops.py, Room.edit_note)."""

import json

import pytest
from channels.db import database_sync_to_async
from live_helpers import open_socket, stop_hub  # noqa: F401
from workshop_builder import build_workshop as make_workshop

from breakouts.models import Note, notes

pytestmark = pytest.mark.django_db(transaction=True)
db = database_sync_to_async


@pytest.fixture
def setup(facilitator):
    return make_workshop(facilitator, rooms=1, members=3)


def tab_path(workshop, tab):
    return f"/ws/w/{workshop.join_code}/?tab={tab}"


async def stored(step="define"):
    return (await db(Note.objects.get)(step=step)).text


async def test_an_edit_is_acked_stored_and_broadcast_as_the_change_only(setup):
    workshop, _rooms, people = setup
    scribe = await open_socket(tab_path(workshop, "aa"), people[1][0])
    member = await open_socket(tab_path(workshop, "bb"), people[1][1])
    first = await scribe.op("note.edit", step="define", **{"from": 0, "to": 0}, text="Hello",
                            base_rev=0)
    assert first["type"] == "ack"
    event = await member.event("note.edited")
    assert event["changes"] == [[0, 0, "Hello"]]
    assert event["note_rev"] == event["rev"] == first["rev"]
    assert event["by"] == people[1][0].pk
    assert "text" not in event  # the change, never the whole note
    op_id = await scribe.send("note.edit", step="define", **{"from": 1, "to": 5}, text="i!",
                              base_rev=first["rev"])
    assert (await member.event("note.edited"))["changes"] == [[1, 5, "i!"]]
    # The writer recognises its own edit in the server's order by its op id.
    mine = await scribe.event("note.edited", edit=op_id)
    assert mine["changes"] == [[1, 5, "i!"]]
    assert await stored() == "Hi!"
    # The snapshot carries the whole note.
    late = await open_socket(tab_path(workshop, "cc"), people[1][2])
    assert late.state["room"]["notes"]["define"]["text"] == "Hi!"
    for socket in (scribe, member, late):
        await socket.close()


async def test_concurrent_edits_of_two_tabs_are_transformed_and_both_kept(setup):
    workshop, _rooms, people = setup
    laptop = await open_socket(tab_path(workshop, "aa"), people[1][0])
    phone = await open_socket(tab_path(workshop, "bb"), people[1][0])
    base = (await laptop.op("note.set", step="define", text="one two", base_rev=0))["rev"]
    # Both edit the same revision: the laptop appends, the phone replaces "one".
    await laptop.op("note.edit", step="define", **{"from": 7, "to": 7}, text=" three",
                    base_rev=base)
    second = await phone.op("note.edit", step="define", **{"from": 0, "to": 3}, text="ONE",
                            base_rev=base)
    assert second["type"] == "ack"
    assert await stored() == "ONE two three"
    # The phone's edit went out as it was applied, after the laptop's.
    event = await laptop.event("note.edited", note_rev=second["rev"])
    assert event["changes"] == [[0, 3, "ONE"]]
    # Inserts at one place: the later-arriving edit's text goes first (docs: tie rule).
    now = second["rev"]
    await laptop.op("note.edit", step="define", **{"from": 3, "to": 3}, text="[L]", base_rev=now)
    await phone.op("note.edit", step="define", **{"from": 3, "to": 3}, text="[P]", base_rev=now)
    assert await stored() == "ONE[P][L] two three"
    # A deletion over a range the other writer typed into keeps what was typed.
    now = (await db(Note.objects.get)(step="define")).rev
    await laptop.op("note.edit", step="define", **{"from": 3, "to": 9}, text="", base_rev=now)
    await phone.op("note.edit", step="define", **{"from": 6, "to": 6}, text="!", base_rev=now)
    assert await stored() == "ONE! two three"
    await laptop.close()
    await phone.close()


async def test_positions_count_utf16_code_units_like_browsers(setup):
    workshop, _rooms, people = setup
    scribe = await open_socket(tab_path(workshop, "aa"), people[1][0])
    base = (await scribe.op("note.set", step="define", text="a😀b", base_rev=0))["rev"]
    # "😀" is two code units: "b" starts at 3.
    assert (await scribe.op("note.edit", step="define", **{"from": 3, "to": 4}, text="c",
                            base_rev=base))["type"] == "ack"
    assert await stored() == "a😀c"
    split = await scribe.op("note.edit", step="define", **{"from": 2, "to": 2}, text="x",
                            base_rev=base + 1)
    assert split["code"] == "invalid"  # inside the emoji's surrogate pair
    await scribe.close()


async def test_an_edit_older_than_the_log_or_a_whole_write_is_a_conflict(setup, monkeypatch):
    monkeypatch.setattr(notes, "EDIT_LOG_SIZE", 3)
    monkeypatch.setattr(notes, "LOG_TEXT_LIMIT", 0)  # trimmed at every edit
    workshop, _rooms, people = setup
    laptop = await open_socket(tab_path(workshop, "aa"), people[1][0])
    phone = await open_socket(tab_path(workshop, "bb"), people[1][0])
    rev = 0
    for index in range(5):
        rev = (await laptop.op("note.edit", step="define", **{"from": index, "to": index},
                               text="x", base_rev=rev))["rev"]
    early = rev - 4  # four edits ago: the log of three no longer reaches it
    old = await phone.op("note.edit", step="define", **{"from": 0, "to": 0}, text="p",
                         base_rev=early)
    assert old["code"] == "conflict"
    assert old["current"] == {"step": "define", "text": "xxxxx", "note_rev": rev}
    recent = await phone.op("note.edit", step="define", **{"from": 0, "to": 0}, text="p",
                            base_rev=rev - 2)
    assert recent["type"] == "ack"
    assert await stored() == "pxxxxx"
    # A whole write starts a new log: edits made before it cannot be placed.
    replaced = (await laptop.op("note.set", step="define", text="new", base_rev=recent["rev"]))
    refused = await phone.op("note.edit", step="define", **{"from": 0, "to": 0}, text="q",
                             base_rev=recent["rev"])
    assert refused["code"] == "conflict"
    assert refused["current"]["text"] == "new"
    assert refused["current"]["note_rev"] == replaced["rev"]
    await laptop.close()
    await phone.close()


@pytest.mark.parametrize(("fields", "code"), [
    ({"from": 2, "to": 1, "text": "x"}, "invalid"),
    ({"from": -1, "to": 0, "text": "x"}, "invalid"),
    ({"from": 0, "to": 9, "text": "x"}, "invalid"),  # past the end of "abc"
    ({"from": "0", "to": 0, "text": "x"}, "invalid"),
    ({"from": 0, "to": 0, "text": ""}, "invalid"),  # changes nothing
    ({"from": 0, "to": 0, "text": 5}, "invalid"),
    ({"from": 0, "to": 0, "text": "x" * 20_001}, "too_large"),
    ({"from": 3, "to": 3, "text": "x" * 19_998}, "too_large"),  # the note would be too long
    ({"from": 0, "to": 0}, "invalid"),
])
async def test_bad_edits_are_refused_and_change_nothing(setup, fields, code):
    workshop, _rooms, people = setup
    scribe = await open_socket(tab_path(workshop, "aa"), people[1][0])
    base = (await scribe.op("note.set", step="define", text="abc", base_rev=0))["rev"]
    reply = await scribe.op("note.edit", step="define", base_rev=base, **fields)
    assert reply["code"] == code
    assert await stored() == "abc"
    await scribe.close()


async def test_only_the_scribe_edits_and_a_resent_edit_is_applied_once(setup):
    workshop, _rooms, people = setup
    member = await open_socket(tab_path(workshop, "bb"), people[1][1])
    refused = await member.op("note.edit", step="define", **{"from": 0, "to": 0}, text="x",
                              base_rev=0)
    assert refused["code"] == "forbidden"
    scribe = await open_socket(tab_path(workshop, "aa"), people[1][0])
    fields = {"step": "define", "from": 0, "to": 0, "text": "once", "base_rev": 0}
    first = await scribe.op("note.edit", id="edit-1", **fields)
    again = await scribe.op("note.edit", id="edit-1", **fields)
    assert again == first
    assert await stored() == "once"
    await member.close()
    await scribe.close()


def test_the_log_grows_by_text_and_is_trimmed_past_its_limit(monkeypatch):
    monkeypatch.setattr(notes, "EDIT_LOG_SIZE", 3)
    monkeypatch.setattr(notes, "LOG_TEXT_LIMIT", 80)
    log = ""
    for rev in range(10, 20):
        log = notes.append_to_log(log, 9, rev, [rev, "x"])
        since, entries = json.loads(log)  # always valid JSON
        assert entries[-1] == [rev, [rev, "x"]]
        assert len(log) <= 80 or len(entries) <= 3
        if len(entries) <= 3 and rev > 12:
            assert since == entries[0][0] - 1  # the last dropped entry's revision
    assert since > 9


async def test_the_control_room_previews_edited_notes(setup, facilitator):
    workshop, _rooms, people = setup
    control = await open_socket(f"/ws/w/{workshop.join_code}/control/", user=facilitator)
    scribe = await open_socket(tab_path(workshop, "aa"), people[1][0])
    await scribe.op("note.edit", step="define", **{"from": 0, "to": 0}, text="Silos", base_rev=0)
    preview = await control.event("note.preview")
    assert (preview["text"], preview["length"], preview["step"]) == ("Silos", 5, "define")
    await control.close()
    await scribe.close()
