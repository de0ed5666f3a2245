"""The scribe's note streams while it is typed (issue: live while the scribe types): members
read the words before the scribe pauses, a reload right after the last key loses nothing,
and two tabs of one scribe typing at once converge with every character kept."""

import pytest
from playwright.sync_api import expect
from workshop_builder import build_workshop as make_workshop

from breakouts.models import Note

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "Handovers between teams lose context when nobody owns them"


def enter(context, participant, room_url):
    page = context.new_page()
    page.goto(f"/p/{participant.token}/")
    page.goto(room_url)
    expect(page.get_by_role("status").filter(has_text="Connected")).to_be_visible(timeout=15_000)
    return page


def stored_note(room):
    note = Note.objects.filter(room=room, step="define").first()
    return note.text if note else ""


def test_members_read_the_scribes_words_while_they_are_typed(new_context, facilitator):
    _workshop, rooms, people = make_workshop(facilitator, rooms=1, members=2)
    url = rooms[0].get_absolute_url()
    scribe = enter(new_context(), people[1][0], url)
    member = enter(new_context(), people[1][1], url)
    # The member's page records what its note shows and when; the scribe's page when each
    # key went down (both browsers run on this machine's clock).
    member.get_by_role("region", name="Scribe's notes").evaluate("""(view) => {
        window.seen = [];
        new MutationObserver(() => window.seen.push([Date.now(), view.textContent]))
            .observe(view, {childList: true, characterData: true, subtree: true});
    }""")
    notes = scribe.get_by_role("textbox", name="Scribe's notes")
    notes.evaluate("""(box) => {
        window.keys = [];
        box.addEventListener("keydown", () => window.keys.push(Date.now()));
    }""")
    notes.click()
    scribe.keyboard.type(TEXT, delay=70)  # ~14 characters a second, no pause
    keys = scribe.evaluate("window.keys")
    expect(member.get_by_role("region", name="Scribe's notes")).to_have_text(TEXT)
    seen = member.evaluate("window.seen")
    last_key = keys[-1]
    while_typing = [text for at, text in seen if at < last_key and TEXT.startswith(text)]
    # The text grew on the member's screen, several times, before the scribe stopped.
    assert len({len(text) for text in while_typing}) >= 5, seen
    assert max(len(text) for text in while_typing) >= len(TEXT) // 2
    # How long each character took to appear for the member.
    delays = []
    for index, typed_at in enumerate(keys):
        shown = next(at for at, text in seen if len(text) > index and TEXT.startswith(text))
        delays.append(shown - typed_at)
    delays.sort()
    p95 = delays[int(0.95 * (len(delays) - 1))]
    print(f"member sees a typed character after p50 {delays[len(delays) // 2]} ms, p95 {p95} ms")
    assert p95 < 1000, delays  # the target is 500 ms; a loaded CI box gets slack
    # No "typing…" hint any more: the words themselves are the sign.
    expect(member.get_by_text("The scribe is typing")).to_have_count(0)


def test_a_reload_right_after_the_last_key_loses_nothing(new_context, facilitator):
    _workshop, rooms, people = make_workshop(facilitator, rooms=1, members=2)
    url = rooms[0].get_absolute_url()
    scribe = enter(new_context(), people[1][0], url)
    member = enter(new_context(), people[1][1], url)
    notes = scribe.get_by_role("textbox", name="Scribe's notes")
    notes.click()
    scribe.keyboard.type(TEXT, delay=25)
    scribe.reload()  # 0 ms after the last key: edits were in flight or not yet sent
    expect(scribe.get_by_role("textbox", name="Scribe's notes")).to_have_value(TEXT)
    expect(member.get_by_role("region", name="Scribe's notes")).to_have_text(TEXT)
    for _attempt in range(50):
        if stored_note(rooms[0]) == TEXT:
            break
        scribe.wait_for_timeout(100)
    assert stored_note(rooms[0]) == TEXT
    # And it stays so after another reload (nothing left over to apply twice).
    scribe.reload()
    expect(scribe.get_by_role("status").filter(has_text="Connected")).to_be_visible()
    expect(scribe.get_by_role("textbox", name="Scribe's notes")).to_have_value(TEXT)
    scribe.wait_for_timeout(500)
    assert stored_note(rooms[0]) == TEXT


def test_two_tabs_of_the_scribe_typing_at_once_converge_and_keep_every_character(
    new_context, facilitator
):
    _workshop, rooms, people = make_workshop(facilitator, rooms=1, members=2)
    url = rooms[0].get_absolute_url()
    context = new_context()  # one browser: two tabs, one session, two tab ids
    laptop = enter(context, people[1][0], url)
    other_tab = enter(context, people[1][0], url)
    member = enter(new_context(), people[1][1], url)
    laptop_notes = laptop.get_by_role("textbox", name="Scribe's notes")
    laptop_notes.click()
    laptop.keyboard.type("middle ")
    expect(other_tab.get_by_role("textbox", name="Scribe's notes")).to_have_value("middle ")
    # The laptop types at its caret (the end) while the other tab writes at the start: every
    # remote edit moves the laptop's text, never its caret.
    words = ["alpha ", "bravo ", "charlie ", "delta ", "echo "]
    for index, word in enumerate(words):
        laptop.keyboard.type(word, delay=15)
        other_tab.get_by_role("textbox", name="Scribe's notes").evaluate(
            """(box, text) => {
                box.setRangeText(text, 0, 0, "end");
                box.dispatchEvent(new Event("input", {bubbles: true}));
            }""",
            f"{index}",
        )
    expected = "43210middle " + "".join(words)
    for page in (laptop, other_tab):
        expect(page.get_by_role("textbox", name="Scribe's notes")).to_have_value(expected)
    expect(member.get_by_role("region", name="Scribe's notes")).to_have_text(expected.strip())
    for _attempt in range(50):
        if stored_note(rooms[0]) == expected:
            break
        laptop.wait_for_timeout(100)
    assert stored_note(rooms[0]) == expected
    expect(laptop.get_by_role("alert")).to_have_count(0)  # no conflict was needed


def test_an_edit_that_cannot_be_placed_shows_both_texts_and_loses_nothing(
    new_context, facilitator
):
    _workshop, rooms, people = make_workshop(facilitator, rooms=1, members=2)
    url = rooms[0].get_absolute_url()
    scribe_context = new_context()
    scribe = enter(scribe_context, people[1][0], url)
    notes = scribe.get_by_role("textbox", name="Scribe's notes")
    notes.click()
    scribe.keyboard.type("First line. ")
    for _attempt in range(50):
        if stored_note(rooms[0]) == "First line. ":
            break
        scribe.wait_for_timeout(100)
    # Offline, the scribe keeps typing; meanwhile another writer replaces the whole note
    # (note.set, e.g. through the API): the scribe's edits were made on a note that is gone.
    scribe_context.set_offline(True)
    scribe.keyboard.type("Offline words.")
    other = enter(new_context(), people[1][0], url)
    other.evaluate("""(path) => new Promise((resolve) => {
        const ws = new WebSocket(`ws://${location.host}${path}?tab=beef`);
        ws.onmessage = (message) => {
            const frame = JSON.parse(message.data);
            if (frame.type === "state") ws.send(JSON.stringify({op: "note.set", id: "api-1",
                step: "define", text: "Replaced elsewhere.", base_rev: 1000000}));
            if (frame.type === "ack") resolve();
        };
    })""", f"/ws/w/{rooms[0].workshop.join_code}/")
    scribe_context.set_offline(False)
    conflict = scribe.get_by_role("alert").filter(has_text="Someone else changed this note")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("First line. Offline words.")  # what the scribe had
    expect(notes).to_have_value("Replaced elsewhere.")  # what the note is now
    conflict.get_by_role("button", name="Use my text").click()
    expect(notes).to_have_value("First line. Offline words.")
    for _attempt in range(50):
        if stored_note(rooms[0]) == "First line. Offline words.":
            break
        scribe.wait_for_timeout(100)
    assert stored_note(rooms[0]) == "First line. Offline words."
