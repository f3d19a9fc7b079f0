from django.apps import AppConfig


class PersonalConfig(AppConfig):
    name = "paperwire.personal"
    label = "personal"
    default_auto_field = "django.db.models.BigAutoField"
