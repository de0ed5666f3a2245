"""Workshops, their challenges and the people in them (see each module)."""

from workshops.models.attribute import Attribute, MixLevel, attribute_key
from workshops.models.challenge import Challenge
from workshops.models.people import Participant
from workshops.models.rounds import MAX_ROUNDS
from workshops.models.workshop import (
    DEFAULT_DEBRIEF_CHOICES,
    DEFAULT_QUESTION_CHANGE,
    DEFAULT_QUESTION_VALUE,
    JOIN_CODE_ALPHABET,
    JOIN_CODE_LENGTH,
    PhaseError,
    Workshop,
    new_join_code,
    new_secret_token,
    normalise_label,
    tidy_label,
)

__all__ = [
    "DEFAULT_DEBRIEF_CHOICES", "DEFAULT_QUESTION_CHANGE", "DEFAULT_QUESTION_VALUE", "Attribute",
    "MixLevel", "attribute_key",
    "JOIN_CODE_ALPHABET", "JOIN_CODE_LENGTH", "MAX_ROUNDS", "Challenge", "Participant",
    "PhaseError", "Workshop", "new_join_code", "new_secret_token", "normalise_label", "tidy_label",
]
