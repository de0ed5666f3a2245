"""A problem statement offered to the rooms of a workshop."""

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _


class Challenge(models.Model):
    workshop = models.ForeignKey(
        "workshops.Workshop", on_delete=models.CASCADE, related_name="challenges"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.title

    def public(self):
        """Returns the challenge as rooms see it."""
        return {"id": self.pk, "title": self.title, "description": self.description}

    @transaction.atomic
    def move(self, offset):
        """Swaps this challenge with the one above (-1) or below (+1); returns whether it moved.

        Positions are renumbered 0..n-1 first, so gaps or ties left by deletions never block it.
        """
        siblings = list(self.workshop.challenges.select_for_update().order_by("position", "pk"))
        for index, challenge in enumerate(siblings):
            challenge.position = index
        index = next(i for i, c in enumerate(siblings) if c.pk == self.pk)
        target = index + offset
        if not 0 <= target < len(siblings):
            return False
        siblings[index], siblings[target] = siblings[target], siblings[index]
        for position, challenge in enumerate(siblings):
            challenge.position = position
        Challenge.objects.bulk_update(siblings, ["position"])
        self.position = target
        return True
