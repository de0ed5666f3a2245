from django.contrib import admin
from django.urls import include, path

from config import health
from workshops.views.pages import home

urlpatterns = [
    path("", home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("workshops.urls_accounts")),
    path("", include("workshops.urls")),
    path("", include("breakouts.urls")),
    path("", include("followup.urls")),
]
