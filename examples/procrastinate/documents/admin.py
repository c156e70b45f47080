from django.contrib import admin

from .models import Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["pk", "created_at", "word_count", "summary", "exported_at"]
