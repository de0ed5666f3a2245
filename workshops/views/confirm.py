"""One confirmation step for every consequential POST (phase changes, removals, deletion).

A form posts without `confirmed`: the server answers with a confirmation page. The page's
script (static/js/confirm_dialog.js) usually asks first in a <dialog> and posts `confirmed=1`
straight away, so people with JavaScript see one dialog and people without see one page.
"""

from django.shortcuts import render


def is_confirmed(request):
    return request.method == "POST" and request.POST.get("confirmed") == "1"


def render_confirm(request, *, title, message, button, cancel_url, fields=None, danger=False,
                   workshop=None):
    """Returns the confirmation page that re-posts `fields` to the current URL with confirmed=1."""
    return render(
        request,
        "workshops/confirm.html",
        {
            "title": title,
            "message": message,
            "button": button,
            "cancel_url": cancel_url,
            "fields": sorted((fields or {}).items()),
            "danger": danger,
            "workshop": workshop,
        },
    )
