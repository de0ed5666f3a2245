"""Signals that let the apps above `workshops` react to it without `workshops` importing them.

`participant_joined` is sent inside the transaction that added a participant who joined by
code or link, or in which an imported participant first opened their personal link
(`sender` is the Workshop class, `participant` the one who arrived): breakouts seats someone
who arrives during breakouts (breakouts/apps.py connects it).

`phase_changed` is sent inside the transaction of `Workshop.move_to` (`workshop`, `phase`):
timers end with their phase, so breakouts clears the rooms' own timers.
"""

from django.dispatch import Signal

participant_joined = Signal()
phase_changed = Signal()
