from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from workshops.models import Workshop


@login_required
def workshop_list(request):
    """My workshops: upcoming first, then past ones, newest first."""
    workshops = Workshop.objects.hosted_by(request.user).order_by("-starts_at", "-created_at")
    upcoming = [w for w in workshops if w.phase != Workshop.Phase.CLOSED]
    past = [w for w in workshops if w.phase == Workshop.Phase.CLOSED]
    return render(request, "workshops/list.html", {"upcoming": upcoming, "past": past})
