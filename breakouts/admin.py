from django.contrib import admin

from breakouts.models import Broadcast, HelpRequest, Item, Note, Room, Seat, Vote


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = [
        "__str__", "workshop", "round", "step", "challenge", "scribe", "rev", "last_activity_at",
    ]
    list_filter = ["step", "workshop__phase"]
    search_fields = ["workshop__title", "workshop__join_code"]
    raw_id_fields = ["scribe", "challenge", "selected_item"]


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ["room", "step", "rev", "updated_at"]
    list_filter = ["step"]


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["text", "room", "step", "category", "owner", "due_date", "status"]
    list_filter = ["step", "category", "status"]
    search_fields = ["text"]
    raw_id_fields = ["room", "owner", "author"]


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["item", "participant", "count"]
    raw_id_fields = ["item", "participant"]


@admin.register(Broadcast)
class BroadcastAdmin(admin.ModelAdmin):
    list_display = ["message", "workshop", "room", "created_at"]


@admin.register(HelpRequest)
class HelpRequestAdmin(admin.ModelAdmin):
    list_display = ["room", "message", "created_at", "acknowledged_at"]
    list_filter = ["acknowledged_at"]


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin):
    list_display = ["participant", "room", "round"]
    list_filter = ["round"]
    raw_id_fields = ["participant", "room"]
