"""Room planning URLs; included in breakouts/urls.py (namespace "breakouts").

Each change of the draft plan has its own URL and view (breakouts/plan_views.py).
"""

from django.urls import path

from breakouts import plan_views

urlpatterns = [
    path("w/<str:code>/manage/plan/", plan_views.plan, name="plan"),
    path("w/<str:code>/manage/plan/reshuffle/", plan_views.reshuffle, name="plan_reshuffle"),
    path("w/<str:code>/manage/plan/move/", plan_views.move, name="plan_move"),
    path("w/<str:code>/manage/plan/pin/", plan_views.pin, name="plan_pin"),
    path("w/<str:code>/manage/plan/unpin/", plan_views.unpin, name="plan_unpin"),
    path("w/<str:code>/manage/plan/apart/", plan_views.keep_apart, name="plan_apart_add"),
    path(
        "w/<str:code>/manage/plan/apart/remove/", plan_views.keep_apart_remove,
        name="plan_apart_remove",
    ),
    path(
        "w/<str:code>/manage/plan/together/", plan_views.keep_together, name="plan_together_add"
    ),
    path(
        "w/<str:code>/manage/plan/together/remove/", plan_views.keep_together_remove,
        name="plan_together_remove",
    ),
    path("w/<str:code>/manage/plan/start/", plan_views.start, name="plan_start"),
]
