from django.apps import AppConfig


class WebConfig(AppConfig):
    # The site shell: the pages that compose every app, error pages, base template, and the
    # commands that start the site (serve, worker) or feed it (import).
    name = "paperwire.web"
    label = "web"
    verbose_name = "Site shell"
