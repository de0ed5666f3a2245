from django.contrib import admin

from followup.models import DebriefAnswer, ReminderLog


@admin.register(DebriefAnswer)
class DebriefAnswerAdmin(admin.ModelAdmin):
    list_display = ["participant", "workshop", "updated_at"]
    list_filter = ["workshop__phase"]
    search_fields = ["participant__name", "workshop__title", "answer_value", "answer_change"]
    raw_id_fields = ["participant"]


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    list_display = ["item", "sent_on", "created_at"]
    list_filter = ["sent_on"]
    raw_id_fields = ["item"]
