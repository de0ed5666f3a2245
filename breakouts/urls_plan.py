"""Room planning URLs; included in breakouts/urls.py (namespace "breakouts")."""

from django.urls import path

from breakouts import plan_views

urlpatterns = [
    path("w/<str:code>/manage/plan/", plan_views.plan, name="plan"),
    path("w/<str:code>/manage/plan/change/", plan_views.plan_action, name="plan_action"),
]
