"""Property tests of streamed note edits: random concurrent typing by several writers, with
random delivery orders, converges to one text on the server and in every client, and no
typed character disappears unseen. The clients follow the algorithm of
static/js/room/note_editor.js (one edit in flight, the rest merged; remote edits transformed
over the edit in flight and over the unsent text); the server is the real Room.edit_note.
The browser's own transform (static/js/textops.js) is checked against the server's."""

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from workshop_builder import build_workshop as make_workshop

from breakouts import textops
from breakouts.models import Note, NoteConflict, notes
from live import events

ROOT = Path(__file__).resolve().parent.parent
PROPERTY = settings(
    max_examples=80, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def u16_diff(before, after):
    """The one replace range turning `before` into `after` (as note_editor.js's ot.diff)."""
    a, b = before.encode("utf-16-le"), after.encode("utf-16-le")
    units_a = [a[i : i + 2] for i in range(0, len(a), 2)]
    units_b = [b[i : i + 2] for i in range(0, len(b), 2)]
    if units_a == units_b:
        return None
    start, shortest = 0, min(len(units_a), len(units_b))
    while start < shortest and units_a[start] == units_b[start]:
        start += 1
    high = lambda unit: 0xD800 <= int.from_bytes(unit, "little") <= 0xDBFF  # noqa: E731
    if start and high(units_a[start - 1]):
        start -= 1
    tail = 0
    while tail < shortest - start and units_a[-1 - tail] == units_b[-1 - tail]:
        tail += 1
    if tail and high(units_a[len(units_a) - tail - 1]):
        tail -= 1
    text = b"".join(units_b[start : len(units_b) - tail]).decode("utf-16-le")
    return start, len(units_a) - tail, text


def diff_op(before, after):
    change = u16_diff(before, after)
    return textops.replace(textops.u16len(before), *change) if change else []


class Client:
    """One browser tab's note editor (static/js/room/note_editor.js, without the DOM)."""

    def __init__(self, name):
        self.name = name
        self.text = self.shadow = ""
        self.base = 0
        self.inflight = None  # (id, op)
        self.inbox = []  # frames from the server, in its order
        self.seq = 0
        self.refused = []  # what this tab had when a conflict replaced it (shown to the writer)

    def type(self, where, delete, insert):
        units = self.text.encode("utf-16-le")
        bounds = [0]
        for char in self.text:
            bounds.append(bounds[-1] + (2 if ord(char) > 0xFFFF else 1))
        start = bounds[int(where * (len(bounds) - 1))]
        end = bounds[min(len(bounds) - 1, bounds.index(start) + delete)]
        self.text = (units[: 2 * start] + insert.encode("utf-16-le") + units[2 * end :]).decode(
            "utf-16-le"
        )

    def pump(self):
        """Returns the edit frame to send, or None (one in flight at a time)."""
        if self.inflight is not None:
            return None
        change = u16_diff(self.shadow, self.text)
        if change is None:
            return None
        self.seq += 1
        op_id = f"{self.name}-{self.seq}"
        op = textops.replace(textops.u16len(self.shadow), *change)
        self.inflight = (op_id, op)
        self.shadow = textops.apply(self.shadow, op)
        start, end, text = change
        return {"id": op_id, "from": start, "to": end, "text": text, "base_rev": self.base}

    def receive(self):
        frame = self.inbox.pop(0)
        if frame["type"] == "error":
            self.refused.append(self.text)
            self.inflight = None
            self.text = self.shadow = frame["current"]["text"]
            self.base = frame["current"]["note_rev"]
            return
        if frame["type"] == "ack":
            return
        length = textops.u16len(self.server_text)
        remote = textops.from_changes(length, frame["changes"])
        self.server_text = textops.apply(self.server_text, remote)
        if self.inflight and frame["edit"] == self.inflight[0]:
            self.inflight = None
            self.base = frame["note_rev"]
            return
        if self.inflight:
            mine, remote = textops.transform(self.inflight[1], remote)
            self.inflight = (self.inflight[0], mine)
        else:
            self.base = frame["note_rev"]
        _, on_input = textops.transform(diff_op(self.shadow, self.text), remote)
        self.shadow = textops.apply(self.shadow, remote)
        self.text = textops.apply(self.text, on_input)

    server_text = ""


alphabet = st.sampled_from(["a", "b", "😀", "é", " "])
actions = st.lists(
    st.one_of(
        st.tuples(st.just("type"), st.integers(0, 2), st.floats(0, 1), st.integers(0, 3),
                  st.text(alphabet, max_size=3)),
        st.tuples(st.just("send"), st.integers(0, 2)),
        st.tuples(st.just("server"), st.integers(0, 2)),
        st.tuples(st.just("deliver"), st.integers(0, 2)),
    ),
    min_size=5, max_size=60,
)
# Where each tab types its last words, just before all three send at once (their edits cross).
finales = st.lists(st.floats(0, 1), min_size=3, max_size=3)
MARKERS = ["①", "②", "③"]


@pytest.fixture
def room(db, facilitator):
    _workshop, rooms, people = make_workshop(facilitator, rooms=1, members=3)
    return rooms[0], people[1][0]


def simulate(room, scribe, script, finale, monkeypatch, *, log_size, inserts_only=False):
    monkeypatch.setattr(notes, "EDIT_LOG_SIZE", log_size)
    monkeypatch.setattr(notes, "LOG_TEXT_LIMIT", 0 if log_size < 100 else 16_000)
    Note.objects.filter(room=room).delete()
    clients = [Client(f"tab{i}") for i in range(3)]
    transit = {i: [] for i in range(3)}  # frames on their way to the server, per tab
    sent = []

    def capture(groups, event):
        events.validate(event)
        if event["type"] == "note.edited":
            sent.append(event)

    monkeypatch.setattr(notes.events, "send_on_commit", capture)

    def serve(index):
        frame = transit[index].pop(0)
        before = len(sent)
        try:
            with transaction.atomic():
                room.edit_note("define", frame["from"], frame["to"], frame["text"],
                               frame["base_rev"], scribe.pk, f"tab{index}", frame["id"])
        except NoteConflict as conflict:
            current = {"text": conflict.text, "note_rev": conflict.rev}
            clients[index].inbox.append({"type": "error", "current": current})
            return
        for client in clients:
            client.inbox.extend(sent[before:])
        clients[index].inbox.append({"type": "ack"})

    for action in script:
        kind, index = action[0], action[1]
        client = clients[index]
        if kind == "type":
            client.type(action[2], 0 if inserts_only else action[3], action[4])
        elif kind == "send":
            frame = client.pump()
            if frame is not None:
                transit[index].append(frame)
        elif kind == "server" and transit[index]:
            serve(index)
        elif kind == "deliver" and client.inbox:
            client.receive()
    for index, where in enumerate(finale):
        clients[index].type(where, 0, MARKERS[index])
    # Everyone stops typing; the network drains (all tabs send before the server answers:
    # their edits cross).
    for _round in range(200):
        busy = False
        for index, client in enumerate(clients):
            frame = client.pump()
            if frame is not None:
                transit[index].append(frame)
        for index in range(len(clients)):
            while transit[index]:
                serve(index)
                busy = True
        for client in clients:
            while client.inbox:
                client.receive()
                busy = True
        if not busy:
            break
    server = Note.objects.filter(room=room, step="define").values_list("text", flat=True).first()
    return server or "", clients


@PROPERTY
@given(script=actions, finale=finales)
def test_random_concurrent_edits_converge_everywhere(room, monkeypatch, script, finale):
    server, clients = simulate(*room, script, finale, monkeypatch, log_size=100)
    for client in clients:
        assert client.text == server
        assert client.server_text == server
        assert client.refused == []  # a log of 100 edits covers every base here
    assert all(marker in server for marker in MARKERS)  # three crossing edits, all kept


@PROPERTY
@given(script=actions, finale=finales)
def test_with_a_tiny_log_conflicts_happen_but_nothing_vanishes_unseen(
    room, monkeypatch, script, finale
):
    # Inserts only: every typed character must be in the note, or shown to its writer.
    typed = [action[4] for action in script if action[0] == "type"] + MARKERS
    server, clients = simulate(
        *room, script, finale, monkeypatch, log_size=1, inserts_only=True
    )
    for client in clients:
        assert client.text == server
    seen = server + "".join(text for client in clients for text in client.refused)
    for piece in typed:
        for char in piece:
            assert seen.count(char) >= 1


def test_the_browser_transform_matches_the_server(tmp_path):
    if shutil.which("node") is None:
        pytest.fail("Node.js is needed (it runs static/js tests)")
    rng = random.Random(12)
    cases = []
    for _ in range(400):
        text = "".join(rng.choice("ab😀 ") for _ in range(rng.randint(0, 8)))
        bounds = [0]
        for char in text:
            bounds.append(bounds[-1] + (2 if ord(char) > 0xFFFF else 1))
        ops = []
        for _side in range(2):
            start = rng.choice(bounds)
            end = rng.choice([b for b in bounds if b >= start])
            insert = "".join(rng.choice("xy😀") for _ in range(rng.randint(0, 3)))
            ops.append(textops.replace(bounds[-1], start, end, insert))
        cases.append({"text": text, "a": ops[0], "b": ops[1]})
    expected = []
    for case in cases:
        a2, b2 = textops.transform(case["a"], case["b"])
        case["changes"] = textops.changes(a2)  # the event's form: back to the same op
        expected.append({
            "a2": a2, "b2": b2, "after": textops.apply(textops.apply(case["text"], case["b"]), a2),
            "op": a2,
        })
    script = tmp_path / "check.mjs"
    script.write_text(
        f'import * as ot from "{ROOT / "static" / "js" / "textops.js"}";\n'
        "const cases = JSON.parse(process.argv[2]);\n"
        "console.log(JSON.stringify(cases.map(({text, a, b, changes}) => {\n"
        "  const [a2, b2] = ot.transform(a, b);\n"
        "  const after = ot.apply(ot.apply(text, b), a2);\n"
        "  return {a2, b2, after, op: ot.fromChanges(ot.apply(text, b).length, changes)};\n"
        "})));\n"
    )
    result = subprocess.run(
        ["node", str(script), json.dumps(cases)], capture_output=True, text=True, timeout=60,
        check=True,
    )
    assert json.loads(result.stdout) == expected

