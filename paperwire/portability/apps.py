from django.apps import AppConfig


class PortabilityConfig(AppConfig):
    name = "paperwire.portability"
    label = "portability"
    verbose_name = "Data out and in"
