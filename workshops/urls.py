from django.urls import path

from workshops.views import facilitator, join

app_name = "workshops"

urlpatterns = [
    path("workshops/", facilitator.workshop_list, name="list"),
    path("join/", join.join, name="join"),
]
