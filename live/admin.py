from django.contrib import admin

from live.models import AppliedOp


@admin.register(AppliedOp)
class AppliedOpAdmin(admin.ModelAdmin):
    list_display = ["op_id", "scope", "rev", "created_at"]
    search_fields = ["op_id"]
