from django.apps import AppConfig


class AppearanceConfig(AppConfig):
    name = "paperwire.appearance"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the login handler)
