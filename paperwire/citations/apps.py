from django.apps import AppConfig


class CitationsConfig(AppConfig):
    name = "paperwire.citations"
    label = "citations"
    verbose_name = "Citations"
