"""The scribe's note with two writers: two tabs or devices of one scribe never overwrite each
other unseen; one tab's quick successive writes never conflict with themselves."""

import pytest
from channels.db import database_sync_to_async
from live_helpers import open_socket, stop_hub  # noqa: F401

from breakouts.models import Note

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def setup(make_workshop):
    return make_workshop(rooms=1, members=2)


def tab_path(workshop, tab):
    return f"/ws/w/{workshop.join_code}/?tab={tab}"


async def test_a_second_tab_of_the_scribe_is_a_second_writer(setup):
    workshop, _rooms, people = setup
    scribe = people[1][0]
    laptop = await open_socket(tab_path(workshop, "aaaa"), scribe)
    phone = await open_socket(tab_path(workshop, "bbbb"), scribe)
    first = await laptop.op("note.set", step="define", text="laptop 1", base_rev=0)
    second = await phone.op("note.set", step="define", text="phone", base_rev=first["rev"])
    assert second["type"] == "ack"
    # The laptop has not seen the phone's text: its next write is a conflict, with that text.
    again = await laptop.op("note.set", step="define", text="laptop 2", base_rev=first["rev"])
    assert again["code"] == "conflict"
    assert again["current"] == {"step": "define", "text": "phone", "note_rev": second["rev"]}
    stored = await database_sync_to_async(Note.objects.get)(step="define")
    assert stored.text == "phone"
    await laptop.close()
    await phone.close()


async def test_one_tab_typing_fast_never_conflicts_with_itself(setup):
    workshop, _rooms, people = setup
    laptop = await open_socket(tab_path(workshop, "aaaa"), people[1][0])
    ids = [
        await laptop.send("note.set", step="define", text="t" * length, base_rev=0)
        for length in range(1, 6)
    ]
    replies = [await laptop.reply_to(op_id) for op_id in ids]
    assert [reply["type"] for reply in replies] == ["ack"] * 5
    stored = await database_sync_to_async(Note.objects.get)(step="define")
    assert stored.text == "ttttt"
    await laptop.close()


async def test_a_tab_id_that_is_not_hex_is_ignored(setup):
    workshop, _rooms, people = setup
    odd = await open_socket(f"/ws/w/{workshop.join_code}/?tab=<script>", people[1][0])
    assert (await odd.op("note.set", step="define", text="x", base_rev=0))["type"] == "ack"
    stored = await database_sync_to_async(Note.objects.get)(step="define")
    assert stored.updated_via == ""
    await odd.close()
