from django.urls import path

from breakouts import views
from breakouts.urls_control import urlpatterns as control_urlpatterns
from breakouts.urls_plan import urlpatterns as plan_urlpatterns

app_name = "breakouts"

urlpatterns = [
    *plan_urlpatterns,
    *control_urlpatterns,
    path("w/<str:code>/rooms/<int:number>/", views.room, name="room"),
]
