"""Breakout rooms and what they produce (see each module)."""

from breakouts.models.content import Item, Note, Vote
from breakouts.models.facilitation import Broadcast, HelpRequest
from breakouts.models.rooms import NoteConflict, Room
from breakouts.models.steps import STEP_ORDER, Step

__all__ = [
    "STEP_ORDER", "Broadcast", "HelpRequest", "Item", "Note", "NoteConflict", "Room", "Step",
    "Vote",
]
