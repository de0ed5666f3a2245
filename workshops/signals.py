"""Signals that let the apps above `workshops` react to it without `workshops` importing them.

`participant_joined` is sent inside the transaction that added a participant who joined by
code or link (`sender` is the Workshop class, `participant` the new participant): breakouts
seats a joiner who arrives during breakouts (breakouts/apps.py connects it).
"""

from django.dispatch import Signal

participant_joined = Signal()
