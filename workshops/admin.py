from django.contrib import admin

from workshops.models import Challenge, Participant, Workshop


class ChallengeInline(admin.TabularInline):
    model = Challenge
    extra = 0


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    list_display = ["title", "join_code", "phase", "starts_at", "owner", "created_at"]
    list_filter = ["phase", "starts_at"]
    search_fields = ["title", "join_code", "owner__username"]
    filter_horizontal = ["cofacilitators"]
    readonly_fields = ["join_token", "rev", "created_at", "updated_at"]
    inlines = [ChallengeInline]


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    list_display = ["title", "workshop", "position"]
    search_fields = ["title", "workshop__title"]


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["name", "workshop", "department", "location", "room", "joined_at"]
    list_filter = ["workshop__phase", "department", "location"]
    search_fields = ["name", "email", "workshop__title", "workshop__join_code"]
    readonly_fields = ["token"]
    raw_id_fields = ["room"]
