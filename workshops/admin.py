from django.contrib import admin
from django.db.models import Count

from workshops.models import Attribute, Challenge, Participant, Workshop


class ChallengeInline(admin.TabularInline):
    model = Challenge
    extra = 0
    fields = ["position", "title", "description"]


class AttributeInline(admin.TabularInline):
    model = Attribute
    extra = 0
    fields = ["position", "label", "key", "kind", "choices", "required", "mix"]
    readonly_fields = ["key"]


@admin.register(Attribute)
class AttributeAdmin(admin.ModelAdmin):
    list_display = ["label", "key", "kind", "mix", "required", "workshop"]
    list_filter = ["kind", "mix"]
    search_fields = ["label", "key", "workshop__title", "workshop__join_code"]
    readonly_fields = ["key"]


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    list_display = [
        "title", "join_code", "phase", "starts_at", "owner", "participant_count", "created_at"
    ]
    list_filter = ["phase", "starts_at", "created_at"]
    date_hierarchy = "starts_at"
    search_fields = ["title", "join_code", "owner__username"]
    filter_horizontal = ["cofacilitators"]
    readonly_fields = ["join_token", "rev", "created_at", "updated_at"]
    inlines = [ChallengeInline, AttributeInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_participants=Count("participants"))

    @admin.display(description="participants", ordering="_participants")
    def participant_count(self, workshop):
        return workshop._participants


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    list_display = ["title", "workshop", "position"]
    list_filter = ["workshop__phase"]
    search_fields = ["title", "workshop__title", "workshop__join_code"]
    list_select_related = ["workshop"]


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = [
        "name", "workshop", "department", "location", "room", "imported", "joined_at"
    ]
    list_filter = ["workshop__phase", "imported", "share", "department", "location"]
    list_select_related = ["workshop", "room"]
    date_hierarchy = "joined_at"
    search_fields = ["name", "email", "workshop__title", "workshop__join_code"]
    readonly_fields = ["token"]
    raw_id_fields = ["room"]

