"""What a workshop asks of its participants beyond name, department and location.

Department and location stay columns of `Participant` (every page and event shows them); a
workshop adds any other attribute it wants rooms to mix (level, function, region, tenure, team)
as an `Attribute`, and each participant's values of those live in `Participant.attributes`,
keyed by the attribute's `key`. Values are stored in the workshop's spelling (fixed choices) or
tidied (free text) and compared with `normalise_label`, like departments.
"""

import re

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from workshops.models.people import Participant
from workshops.models.workshop import normalise_label, tidy_label

# Roster columns and the two built-in attributes, and the engine's reserved pair weights:
# an attribute key may be none of these.
RESERVED_KEYS = frozenset(
    {"name", "email", "department", "location", "personal_link", "met_before", "repeat"}
)
MAX_VALUE_LENGTH = 100


def attribute_key(label):
    """Returns the key of an attribute called `label`: lower-case ASCII letters, digits, `_`."""
    return re.sub(r"[^a-z0-9]+", "_", normalise_label(label)).strip("_")[:40]


def column_key(name):
    """Returns what a roster column or label is matched by: its letters and digits, lower-case
    ("E-mail", "email" and "EMAIL" are one column; so are "Years in role" and years_in_role)."""
    return re.sub(r"[^a-z0-9]+", "", normalise_label(name))


def is_reserved(label):
    """True when `label` names a roster column every workshop has, or an engine keyword."""
    return column_key(label) in {column_key(key) for key in RESERVED_KEYS}


class MixLevel(models.TextChoices):
    """How much a planner should spread an attribute over the rooms (the engine's levels)."""

    MUST = "must mix", _("Must mix")
    IF_POSSIBLE = "mix if possible", _("Mix if possible")
    IGNORE = "ignore", _("Ignore")


class Attribute(models.Model):
    class Kind(models.TextChoices):
        CHOICES = "choices", _("Fixed choices")
        TEXT = "text", _("Free text")

    workshop = models.ForeignKey(
        "workshops.Workshop", on_delete=models.CASCADE, related_name="attributes"
    )
    label = models.CharField(_("label"), max_length=60)
    key = models.SlugField(max_length=40, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CHOICES)
    choices = models.TextField(
        _("choices"), blank=True, help_text=_("One per line; needed for fixed choices.")
    )
    required = models.BooleanField(
        _("participants must answer"), default=True,
        help_text=_("Imported people without a value are asked when they open their link."),
    )
    mix = models.CharField(
        _("mixing when planning rooms"), max_length=20, choices=MixLevel.choices,
        default=MixLevel.IF_POSSIBLE,
        help_text=_("The plan page starts with this; you can change it there."),
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "key"], name="unique_attribute_key")
        ]

    def __str__(self):
        return self.label

    def save(self, *args, **kwargs):
        # The key is made once: renaming "Level" to "Grade" keeps everyone's values.
        if not self.key:
            self.key = attribute_key(self.label)
        super().save(*args, **kwargs)

    @property
    def choice_list(self):
        return [tidy_label(line) for line in self.choices.splitlines() if line.strip()]

    @property
    def is_fixed(self):
        return self.kind == self.Kind.CHOICES

    def canonical(self, value):
        """Returns the stored form of `value`: "" for no value, the list's spelling of a
        case/space-insensitive match for fixed choices (None when it matches none), else the
        tidied text."""
        key = normalise_label(value)
        if not key:
            return ""
        if self.is_fixed:
            return next((c for c in self.choice_list if normalise_label(c) == key), None)
        return tidy_label(value)

    def value_of(self, participant):
        return (participant.attributes or {}).get(self.key, "")

    @transaction.atomic
    def move(self, offset):
        """Swaps this attribute with the one above (-1) or below (+1); returns whether it moved."""
        siblings = list(self.workshop.attributes.select_for_update().order_by("position", "pk"))
        index = next(i for i, a in enumerate(siblings) if a.pk == self.pk)
        target = index + offset
        if not 0 <= target < len(siblings):
            return False
        siblings[index], siblings[target] = siblings[target], siblings[index]
        for position, attribute in enumerate(siblings):
            attribute.position = position
        Attribute.objects.bulk_update(siblings, ["position"])
        self.position = target
        return True

    @transaction.atomic
    def delete(self, *args, **kwargs):
        """Deletes the attribute and every participant's value of it."""
        changed = []
        for participant in self.workshop.participants.only("pk", "attributes"):
            if self.key in (participant.attributes or {}):
                del participant.attributes[self.key]
                changed.append(participant)
        Participant.objects.bulk_update(changed, ["attributes"])
        return super().delete(*args, **kwargs)

    def copy_to(self, workshop):
        """Returns a copy of this attribute (no values) in another workshop."""
        return Attribute.objects.create(
            workshop=workshop, label=self.label, key=self.key, kind=self.kind,
            choices=self.choices, required=self.required, mix=self.mix, position=self.position,
        )
