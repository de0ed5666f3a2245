from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from config import health
from workshops.views.pages import home


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links: send them to the icon."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


urlpatterns = [
    path("", home, name="home"),
    path("favicon.ico", favicon),
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("workshops.urls_accounts")),
    path("", include("workshops.urls")),
    path("", include("breakouts.urls")),
    path("", include("calls.urls")),
    path("", include("followup.urls")),
]

handler403 = "workshops.views.errors.forbidden"
handler404 = "workshops.views.errors.not_found"
handler500 = "workshops.views.errors.server_error"
