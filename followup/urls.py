"""Debrief, report, accountability and network pages (after the breakouts)."""

from django.urls import path

from followup.views import actions, debrief, network, report

app_name = "report"

urlpatterns = [
    path("w/<str:code>/debrief/", debrief.debrief, name="debrief"),
    path("w/<str:code>/debrief/results/", debrief.results, name="debrief_results"),
    path("w/<str:code>/debrief/results.json", debrief.results_json, name="debrief_results_json"),
    path("w/<str:code>/debrief/choices/", debrief.edit_choices, name="debrief_choices"),
    path("w/<str:code>/report/", report.report_page, name="report"),
    path("w/<str:code>/report.md", report.report_markdown, name="report_md"),
    path("w/<str:code>/report.json", report.report_json, name="report_json"),
    path("w/<str:code>/actions.csv", report.actions_csv, name="actions_csv"),
    path("w/<str:code>/actions.ics", report.actions_ics, name="actions_ics"),
    path("w/<str:code>/my-actions/", actions.my_actions, name="my_actions"),
    path("w/<str:code>/actions/", actions.tracker, name="tracker"),
    path("w/<str:code>/network/", network.network, name="network"),
    path("w/<str:code>/network.vcf", network.network_vcf, name="network_vcf"),
]
