from django.contrib import admin

from .models import HarvestState, IngestRun


@admin.register(IngestRun)
class IngestRunAdmin(admin.ModelAdmin):
    list_display = [
        "key",
        "source",
        "trigger",
        "status",
        "started_at",
        "finished_at",
        "fetched",
        "created",
        "updated",
        "unchanged",
        "invalid",
        "attempts",
    ]
    list_filter = ["source", "status", "trigger"]
    search_fields = ["key", "error"]
    readonly_fields = [f.name for f in IngestRun._meta.fields]


@admin.register(HarvestState)
class HarvestStateAdmin(admin.ModelAdmin):
    list_display = [
        "key",
        "source",
        "pages",
        "records",
        "last_datestamp",
        "watermark",
        "complete",
        "claimed_by",
        "updated_at",
    ]
    list_filter = ["source", "complete"]
    readonly_fields = [
        "key",
        "source",
        "params",
        "pages",
        "records",
        "complete_list_size",
        "last_datestamp",
        "watermark",
        "started_at",
        "updated_at",
        "heartbeat_at",
    ]
