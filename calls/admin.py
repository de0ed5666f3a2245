from django.contrib import admin

from calls.models import CallSettings, RoomCall


@admin.register(CallSettings)
class CallSettingsAdmin(admin.ModelAdmin):
    list_display = ["workshop", "mode"]
    list_filter = ["mode"]
    search_fields = ["workshop__title", "workshop__join_code"]
    raw_id_fields = ["workshop"]
    readonly_fields = ["plenary_token"]


@admin.register(RoomCall)
class RoomCallAdmin(admin.ModelAdmin):
    list_display = ["workshop", "number", "link"]
    search_fields = ["workshop__title", "workshop__join_code"]
    raw_id_fields = ["workshop"]
    readonly_fields = ["token"]
