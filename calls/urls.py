from django.urls import path

from calls import views

app_name = "calls"

urlpatterns = [
    path("w/<str:code>/manage/calls/", views.call_settings, name="settings"),
    path("w/<str:code>/manage/calls/zoom.csv", views.zoom_csv, name="zoom_csv"),
    path("w/<str:code>/manage/calls/rooms.csv", views.roster_csv, name="roster_csv"),
    path("w/<str:code>/manage/calls/rooms/", views.roster, name="roster"),
]
