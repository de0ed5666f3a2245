"""A workshop's own attributes (level, function, region…): add, edit, reorder, remove.

The roster import and the join form ask for them; the room planner mixes them.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from workshops.access import get_workshop_for_facilitator
from workshops.forms import AttributeForm
from workshops.views.confirm import is_confirmed, render_confirm


def _get_attribute(request, code, attribute_id):
    workshop = get_workshop_for_facilitator(request, code)
    return workshop, get_object_or_404(workshop.attributes, pk=attribute_id)


@login_required
def attribute_list(request, code):
    """Lists department, location and the workshop's own attributes, with a form to add one."""
    workshop = get_workshop_for_facilitator(request, code)
    form = AttributeForm(request.POST or None, workshop=workshop)
    if request.method == "POST" and form.is_valid():
        attribute = form.save()
        messages.success(request, _("“%(label)s” added.") % {"label": attribute.label})
        return redirect("workshops:attributes", workshop.join_code)
    return render(
        request,
        "workshops/attributes.html",
        {"workshop": workshop, "attributes": workshop.attributes.all(), "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def attribute_edit(request, code, attribute_id):
    workshop, attribute = _get_attribute(request, code, attribute_id)
    form = AttributeForm(request.POST or None, instance=attribute, workshop=workshop)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("“%(label)s” saved.") % {"label": attribute.label})
        return redirect("workshops:attributes", workshop.join_code)
    return render(
        request,
        "workshops/attribute_form.html",
        {"workshop": workshop, "attribute": attribute, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def attribute_move(request, code, attribute_id):
    """Moves an attribute one place up or down (`direction` = up | down)."""
    _workshop, attribute = _get_attribute(request, code, attribute_id)
    offset = {"up": -1, "down": 1}.get(request.POST.get("direction"))
    if offset:
        attribute.move(offset)
    return redirect("workshops:attributes", code)


@login_required
@require_POST
def attribute_delete(request, code, attribute_id):
    """Removes an attribute and everyone's value of it, after confirmation."""
    workshop, attribute = _get_attribute(request, code, attribute_id)
    back = redirect("workshops:attributes", workshop.join_code)
    if not is_confirmed(request):
        return render_confirm(
            request,
            title=_("Remove “%(label)s”?") % {"label": attribute.label},
            message=_("Everyone's answer to it is deleted too. This cannot be undone."),
            button=_("Remove the attribute"),
            cancel_url=back.url,
            danger=True,
            workshop=workshop,
        )
    attribute.delete()
    messages.success(request, _("“%(label)s” removed.") % {"label": attribute.label})
    return back
