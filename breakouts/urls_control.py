"""Control room and plenary URLs; included in breakouts/urls.py (namespace "breakouts")."""

from django.urls import path

from breakouts import control_views

urlpatterns = [
    path("w/<str:code>/control/", control_views.control_room, name="control"),
    path("w/<str:code>/plenary/", control_views.plenary, name="plenary"),
    path(
        "w/<str:code>/plenary/rooms/<int:number>/",
        control_views.plenary_room,
        name="plenary_room",
    ),
]
