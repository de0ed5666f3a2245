"""Action items after the workshop: who owes what by when, and their progress."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from breakouts.models import Item, Step


def action_items(workshop):
    """Returns the workshop's action items (plan step) with room and owner, in room order."""
    return (
        Item.objects.filter(room__workshop=workshop, step=Step.PLAN)
        .select_related("room", "owner")
        .order_by("room__round", "room__number", "due_date", "pk")
    )


def is_overdue(item, today=None):
    """True when the item has a due date before today and is not done."""
    today = today or timezone.localdate()
    return bool(item.due_date and item.due_date < today and item.status != Item.Status.DONE)


@transaction.atomic
def set_action_status(item, *, status, note):
    """Stores an owner's progress on an action item and bumps its version (so live edits based
    on the old version get a conflict instead of overwriting it)."""
    Item.objects.filter(pk=item.pk).update(
        status=status, status_note=note.strip(), version=F("version") + 1,
        updated_at=timezone.now(),
    )
    item.refresh_from_db(fields=["status", "status_note", "version", "updated_at"])
    return item
