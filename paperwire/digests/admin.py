from django.contrib import admin

from .models import DigestSend, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("email", "frequency", "status", "bounces", "confirmed_at", "created_at")
    list_filter = ("status", "frequency")
    search_fields = ("email",)
    exclude = ("confirm_nonce", "unsubscribe_nonce")


@admin.register(DigestSend)
class DigestSendAdmin(admin.ModelAdmin):
    list_display = ("period", "subscription", "status", "attempts", "sent_at", "error")
    list_filter = ("status", "period")
    search_fields = ("subscription__email",)
    raw_id_fields = ("subscription",)
