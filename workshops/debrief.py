"""Debrief answers and follow-up (filled in by the debrief/report work)."""
