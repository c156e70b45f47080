from django.contrib import admin

from onboarding.models import Email


@admin.register(Email)
class EmailAdmin(admin.ModelAdmin):
    list_display = ["to", "kind", "workflow_id", "sent_at"]
    list_filter = ["kind"]
