from django.urls import path

from breakouts import views
from breakouts.urls_plan import urlpatterns as plan_urlpatterns

app_name = "breakouts"

urlpatterns = [
    *plan_urlpatterns,
    path("w/<str:code>/rooms/<int:number>/", views.room, name="room"),
]
