from django.apps import AppConfig


class RateLimitsConfig(AppConfig):
    name = "paperwire.ratelimits"
    label = "ratelimits"
    verbose_name = "Rate limits"
