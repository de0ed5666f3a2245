"""Debrief, report, accountability and network pages (after the breakouts)."""

from django.urls import path  # noqa: F401

app_name = "report"

urlpatterns = []
