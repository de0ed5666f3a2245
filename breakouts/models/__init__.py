"""Breakout rooms and what they produce (see each module)."""

from breakouts.models.content import Item, Note, Vote
from breakouts.models.facilitation import Broadcast, HelpRequest
from breakouts.models.notes import NoteConflict, NoteTooLong
from breakouts.models.rooms import Room
from breakouts.models.seats import Seat
from breakouts.models.steps import STEP_ORDER, Step

__all__ = [
    "STEP_ORDER", "Broadcast", "HelpRequest", "Item", "Note", "NoteConflict", "NoteTooLong",
    "Room", "Seat", "Step", "Vote",
]
