from django.contrib import admin

from .models import SavedSearch


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "query", "sort", "mode", "in_digest", "created_at")
    search_fields = ("name", "query", "user__username")
    raw_id_fields = ("user",)
    exclude = ("feed_token",)
