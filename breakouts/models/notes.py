"""The scribe's notes: whole writes (`note.set`) and streamed edits (`note.edit`).

The hot path of the live layer: plain SQL, no ORM objects (DESIGN.md, group commit). Each
note keeps a short log of its latest edits (`Note.edit_log`), so an edit made on an older
revision is transformed over the edits stored since (breakouts/textops.py) instead of
refused; a whole write clears the log. Rules and frames: docs/protocol.md, "Note edits".
"""

import json

from django.db import connection

from breakouts import textops
from live import events
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


class NoteWriting:
    """Room methods that write notes (mixed into breakouts.models.Room)."""

    def _select_note(self, cursor, step):
        select = NOTE_SELECT_SQL
        if connection.features.has_select_for_update:
            select += " FOR UPDATE"  # another process's writer may race us (PostgreSQL)
        cursor.execute(select, [self.pk, step])
        return cursor.fetchone()

    def write_note(self, step, text, base_rev, writer_id, tab=""):
        """Stores the scribe's whole note for `step` and returns the new room rev.

        `base_rev` is the note revision the writer's text was based on: a newer write by
        another writer raises NoteConflict with the current text instead of being overwritten.
        A writer is a participant in one browser tab (`tab`): the scribe's own quick
        successive writes from one tab never conflict, but two tabs or devices of the same
        scribe do, so neither one's text vanishes unseen. Writers without a tab (API clients)
        are told apart by participant only. A whole write starts a new edit log.
        """
        with connection.cursor() as cursor:
            row = self._select_note(cursor, step)
            if row is not None:
                current_rev, current_text, author, via, _log = row
                same_writer = writer_id is not None and author == writer_id and via == tab
                if current_rev > base_rev and not same_writer:
                    raise NoteConflict(current_text, current_rev)
            rev = self.bump_rev()
            now = connection.ops.adapt_datetimefield_value(self.last_activity_at)
            cursor.execute(NOTE_UPSERT_SQL, [self.pk, step, text, rev, writer_id, tab, now, ""])
        self.send_event(
            "note.changed", {"step": step, "text": text, "note_rev": rev, "by": writer_id}
        )
        return rev

    @staticmethod
    def _check_length(text):
        if len(text) > NOTE_MAX_CHARS:
            raise NoteTooLong()
        return text

    def edit_note(self, step, start, end, text, base_rev, writer_id, tab="", edit_id=None):
        """Replaces [start, end) of the note as the writer saw it at `base_rev` with `text`;
        returns the new room rev.

        Edits stored since `base_rev` (by anyone: two tabs are two writers, and one tab sends
        its next edit only after the last was acked) are transformed over, so concurrent
        writers both keep their text. Raises NoteConflict when the log no longer reaches back
        to `base_rev` (or a whole write came since), textops.EditError for positions that do
        not fit the text, NoteTooLong past the limit. The room hears `note.edited` (the
        change, not the note); the control room hears `note.changed` (for its previews).
        """
        with connection.cursor() as cursor:
            row = self._select_note(cursor, step)
            current_rev, current, _author, _via, log = row or (0, "", None, "", "")
            if base_rev >= current_rev:
                # The writer saw every edit (the usual case: one edit in flight per writer):
                # nothing to transform, and the log grows by text, parsed only to trim it.
                op = textops.replace(textops.u16len(current), start, end, text)
                new_text = self._check_length(textops.apply(current, op))
                rev = self.bump_rev()
                log = append_to_log(log, current_rev, rev, op)
            else:
                since, entries = json.loads(log) if log else (current_rev, [])
                if base_rev < since:
                    raise NoteConflict(current, current_rev)
                later = [op for rev, op in entries if rev > base_rev]
                length = textops.u16len(current)
                for op in reversed(later):
                    length = textops.base_length(op, length)
                op = textops.replace(length, start, end, text)
                for other in later:
                    op, _ = textops.transform(op, other)
                new_text = self._check_length(textops.apply(current, op))
                rev = self.bump_rev()
                log = encode_log(since, [*entries, [rev, op]])
            now = connection.ops.adapt_datetimefield_value(self.last_activity_at)
            cursor.execute(
                NOTE_UPSERT_SQL, [self.pk, step, new_text, rev, writer_id, tab, now, log]
            )
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


NOTE_SELECT_SQL = (
    "SELECT rev, text, updated_by_id, updated_via, edit_log FROM breakouts_note "
    "WHERE room_id = %s AND step = %s"
)
# RETURNING and ON CONFLICT need SQLite >= 3.35 or PostgreSQL.
NOTE_UPSERT_SQL = (
    "INSERT INTO breakouts_note (room_id, step, text, rev, updated_by_id, updated_via, "
    "updated_at, edit_log) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (room_id, step) DO UPDATE SET text = excluded.text, rev = excluded.rev, "
    "updated_by_id = excluded.updated_by_id, updated_via = excluded.updated_via, "
    "updated_at = excluded.updated_at, edit_log = excluded.edit_log"
)
