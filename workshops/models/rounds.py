"""Rounds of breakouts: a workshop runs 1 to MAX_ROUNDS rounds, each in new rooms.

Each new round is planned so that nobody sits with someone they already sat with in an earlier
round where the sizes allow it (breakouts/planning.py). Round 1 starts from the lobby, each later
one from plenary (breakouts/services.py `start_breakouts`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_ROUNDS = 5


class Rounds(models.Model):
    rounds = models.PositiveSmallIntegerField(
        _("rounds of breakouts"), default=1,
        help_text=_("1 to 5. Each new round mixes people so they meet new colleagues."),
    )
    # The round whose rooms are live (before breakouts start, the round to come: 1).
    current_round = models.PositiveSmallIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    @property
    def next_round(self):
        """Returns the round a facilitator may plan now, or None.

        In the lobby it is the first; in plenary it is the one after the current round while
        the workshop has rounds left (`rounds`).
        """
        if self.phase == self.Phase.LOBBY:
            return 1
        if self.phase == self.Phase.PLENARY and self.current_round < self.rounds:
            return self.current_round + 1
        return None

    def next_round_draft(self):
        """Returns the plan drafted for the next round (`draft_plan`), or None when there is
        none or it was drafted for an earlier round (whose pins and keep-apart pairs the next
        plan keeps)."""
        draft = self.draft_plan
        if draft and self.next_round is not None and draft.get("round", 1) == self.next_round:
            return draft
        return None

    def begin_round(self, number):
        """Makes `number` the current round (its rooms are the live ones); the caller then
        opens breakouts (breakouts/services.py `start_breakouts`)."""
        self.current_round = number
        type(self).objects.filter(pk=self.pk).update(current_round=number)
