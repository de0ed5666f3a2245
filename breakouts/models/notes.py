"""The scribe's notes: whole writes (`note.set`) and streamed edits (`note.edit`).

The hot path of the live layer: plain SQL, no ORM objects (DESIGN.md, group commit). Each
note keeps a short log of its latest edits (`Note.edit_log`), so an edit made on an older
revision is transformed over the edits stored since (breakouts/textops.py) instead of
refused; a whole write clears the log. Rules and frames: docs/protocol.md, "Note edits".
"""

import json
from typing import NamedTuple

from django.db import connection
from django.utils import timezone

from breakouts import textops
from live import events, sql
from live.groups import control_group, room_group

# How many edits a note remembers (at least; the log is trimmed when its text grows past
# LOG_TEXT_LIMIT): an edit based on a revision older than the log answers `conflict` with
# the current text. At 5 edits a second this is 20 s of typing; a client with an edit in
# flight is normally a few milliseconds behind.
EDIT_LOG_SIZE = 100
NOTE_MAX_CHARS = 20_000
# Appending to the log is text work; it is parsed and trimmed when it grows past this.
LOG_TEXT_LIMIT = 16_000


class NoteConflict(Exception):
    """A note write based on an older revision than someone else's newer change."""

    def __init__(self, text, rev):
        super().__init__("note changed meanwhile")
        self.text = text
        self.rev = rev


class NoteTooLong(Exception):
    """An edit that would make the note longer than NOTE_MAX_CHARS."""


class NoteRoom(NamedTuple):
    """What a note write reads first (`NoteWriting.for_note_write`)."""

    room: object  # a Room with pk, workshop_id, number, round, scribe_id and rev only
    phase: str  # its workshop's
    current_round: int  # its workshop's
    note: tuple | None  # the note's row: rev, text, updated_by_id, updated_via, edit_log


# write_note / edit_note's `note` when the caller has not read the note's row: they read it.
UNREAD = object()


class NoteWriting:
    """Room methods that write notes (mixed into breakouts.models.Room).

    A write reads the room and its note in one round trip, with the room's row locked
    (PostgreSQL; SQLite's writer holds the whole database), so the revision it bumps is the
    one it read; the bump and the write then go with the next statement (live/sql.py): in
    the writer's batch, the next op's read or the batch's last statement.
    """

    @classmethod
    def for_note_write(cls, room_id, workshop_id, step):
        """Reads a room of `workshop_id` for a write to its note of `step`, in one round trip
        (none if the batch read it ahead: `read_ahead`); returns a NoteRoom, or None when
        there is no such room."""
        cache = sql.batch_cache()
        if cache is not None:
            # Taken once: after this write the room's revision and note are another.
            ahead = cache.pop(sql.row_key(cls, room_id), None)
            if ahead is not None and ahead[:2] == (workshop_id, step):
                return ahead[2]
        return cls._read_note_rooms([(room_id, workshop_id, step)]).get(room_id)

    @classmethod
    def read_ahead(cls, keys):
        """Reads, in one round trip, the NoteRoom of each `(room id, workshop id, step)` of
        `keys` (one key a room) for `for_note_write` to take in this batch (live/sql.py,
        `batch_cache`)."""
        cache = sql.batch_cache()
        if cache is None or not keys:
            return
        found = cls._read_note_rooms(keys)
        for room_id, workshop_id, step in keys:
            if room_id in found:
                cache[sql.row_key(cls, room_id)] = (workshop_id, step, found[room_id])

    @classmethod
    def _read_note_rooms(cls, keys):
        """room id → NoteRoom for each `(room id, workshop id, step)` of `keys` (one key a
        room) whose room is in that workshop, in one round trip: the rooms' rows locked in the
        order of their ids, then the notes read, so they are current."""
        room_ids = sorted({room_id for room_id, _workshop, _step in keys})
        pairs = [(room_id, step) for room_id, _workshop, step in keys]
        with connection.cursor() as cursor:
            rooms, notes = sql.run(
                cursor,
                (NOTE_ROOMS_SQL.format(ids=", ".join(["%s"] * len(room_ids)))
                 + " ORDER BY r.id" + sql.for_update(of="r"), room_ids),
                (NOTES_SELECT_SQL.format(pairs=", ".join(["(%s, %s)"] * len(pairs)))
                 + sql.for_update(), [value for pair in pairs for value in pair]),
            )
        workshop_of = {room_id: workshop_id for room_id, workshop_id, _step in keys}
        note_of = {row[0]: row[2:] for row in notes}
        found = {}
        for room_id, workshop_id, scribe_id, number, round_, rev, phase, current_round in rooms:
            if workshop_of.get(room_id) != workshop_id:
                continue
            room = cls(pk=room_id, workshop_id=workshop_id, number=number, round=round_,
                       scribe_id=scribe_id, rev=rev)
            found[room_id] = NoteRoom(room, phase, current_round, note_of.get(room_id))
        return found

    def _locked_note(self, step):
        """Reads this room's revision and its note of `step`, the room's row locked."""
        found = self._read_note_rooms([(self.pk, self.workshop_id, step)])[self.pk]
        self.rev = found.room.rev
        return found.note

    def _bump_and_store(self, step, text, writer_id, tab, log=""):
        """Bumps the room's revision to `self.rev + 1` and stores the note at it; returns that
        revision. Both writes go with the next statement (live/sql.py, `defer`): the room's
        row was locked when `self.rev` was read."""
        now = timezone.now()
        rev = self.bump_rev_behind(now=now)
        sql.defer(NOTE_UPSERT_SQL, [
            self.pk, step, text, rev, writer_id, tab,
            connection.ops.adapt_datetimefield_value(now), log,
        ])
        return rev

    def write_note(self, step, text, base_rev, writer_id, tab="", note=UNREAD):
        """Stores the scribe's whole note for `step` and returns the new room rev.

        `base_rev` is the note revision the writer's text was based on: a newer write by
        another writer raises NoteConflict with the current text instead of being overwritten.
        A writer is a participant in one browser tab (`tab`): the scribe's own quick
        successive writes from one tab never conflict, but two tabs or devices of the same
        scribe do, so neither one's text vanishes unseen. Writers without a tab (API clients)
        are told apart by participant only. A whole write starts a new edit log.

        `note` is the note's row as `for_note_write` read it (the room's row locked since);
        left out, it is read here.
        """
        row = self._locked_note(step) if note is UNREAD else note
        if row is not None:
            current_rev, current_text, author, via, _log = row
            same_writer = writer_id is not None and author == writer_id and via == tab
            if current_rev > base_rev and not same_writer:
                raise NoteConflict(current_text, current_rev)
        rev = self._bump_and_store(step, text, writer_id, tab)
        self.send_event(
            "note.changed", {"step": step, "text": text, "note_rev": rev, "by": writer_id}
        )
        return rev

    @staticmethod
    def _check_length(text):
        if len(text) > NOTE_MAX_CHARS:
            raise NoteTooLong()
        return text

    def edit_note(
        self, step, start, end, text, base_rev, writer_id, tab="", edit_id=None, note=UNREAD
    ):
        """Replaces [start, end) of the note as the writer saw it at `base_rev` with `text`;
        returns the new room rev.

        Edits stored since `base_rev` (by anyone: two tabs are two writers, and one tab sends
        its next edit only after the last was acked) are transformed over, so concurrent
        writers both keep their text. Raises NoteConflict when the log no longer reaches back
        to `base_rev` (or a whole write came since), textops.EditError for positions that do
        not fit the text, NoteTooLong past the limit. The room hears `note.edited` (the
        change, not the note); the control room hears `note.changed` (for its previews).
        `note`: as for write_note.
        """
        row = self._locked_note(step) if note is UNREAD else note
        current_rev, current, _author, _via, log = row or (0, "", None, "", "")
        rev = self.rev + 1  # what _bump_and_store stores it at: the log names it
        if base_rev >= current_rev:
            # The writer saw every edit (the usual case: one edit in flight per writer):
            # nothing to transform, and the log grows by text, parsed only to trim it.
            op = textops.replace(textops.u16len(current), start, end, text)
            new_text = self._check_length(textops.apply(current, op))
            log = append_to_log(log, current_rev, rev, op)
        else:
            since, entries = json.loads(log) if log else (current_rev, [])
            if base_rev < since:
                raise NoteConflict(current, current_rev)
            later = [op for entry_rev, op in entries if entry_rev > base_rev]
            length = textops.u16len(current)
            for op in reversed(later):
                length = textops.base_length(op, length)
            op = textops.replace(length, start, end, text)
            for other in later:
                op, _ = textops.transform(op, other)
            new_text = self._check_length(textops.apply(current, op))
            log = encode_log(since, [*entries, [rev, op]])
        self._bump_and_store(step, new_text, writer_id, tab, log)
        envelope = {**self.event_envelope(), "rev": rev}
        events.send_on_commit((room_group(self.pk),), {
            "type": "note.edited", **envelope, "step": step, "changes": textops.changes(op),
            "note_rev": rev, "by": writer_id, "edit": edit_id,
        })
        # The control room shows the first lines of every note (coalesced previews).
        control = control_group(self.workshop_id)
        if events.may_have_listeners(control):
            events.send_on_commit((control,), {
                "type": "note.changed", **envelope, "step": step, "text": new_text,
                "note_rev": rev, "by": writer_id,
            })
        return rev


def encode_log(since, entries):
    """Returns the log's text, keeping the last EDIT_LOG_SIZE entries: `since` moves up to
    the revision of the last entry dropped (edits based before it cannot be transformed)."""
    if len(entries) > EDIT_LOG_SIZE:
        since = entries[-EDIT_LOG_SIZE - 1][0]
        entries = entries[-EDIT_LOG_SIZE:]
    return json.dumps([since, entries], ensure_ascii=False, separators=(",", ":"))


def append_to_log(log, current_rev, rev, op):
    """Returns the log with [rev, op] appended as text; past LOG_TEXT_LIMIT it is parsed and
    trimmed to EDIT_LOG_SIZE entries."""
    entry = json.dumps([rev, op], ensure_ascii=False, separators=(",", ":"))
    if not log:
        return f"[{current_rev},[{entry}]]"
    log = f"{log[:-2]}{'' if log.endswith('[]]') else ','}{entry}]]"
    if len(log) > LOG_TEXT_LIMIT:
        since, entries = json.loads(log)
        log = encode_log(since, entries)
    return log


NOTE_ROOMS_SQL = (
    "SELECT r.id, r.workshop_id, r.scribe_id, r.number, r.round, r.rev, w.phase, "
    "w.current_round FROM breakouts_room r JOIN workshops_workshop w ON w.id = r.workshop_id "
    "WHERE r.id IN ({ids})"
)
NOTES_SELECT_SQL = (
    "SELECT room_id, step, rev, text, updated_by_id, updated_via, edit_log FROM breakouts_note "
    "WHERE (room_id, step) IN ({pairs})"
)
NOTE_UPSERT_SQL = (
    "INSERT INTO breakouts_note (room_id, step, text, rev, updated_by_id, updated_via, "
    "updated_at, edit_log) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (room_id, step) DO UPDATE SET text = excluded.text, rev = excluded.rev, "
    "updated_by_id = excluded.updated_by_id, updated_via = excluded.updated_via, "
    "updated_at = excluded.updated_at, edit_log = excluded.edit_log"
)
