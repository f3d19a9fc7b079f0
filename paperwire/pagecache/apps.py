from typing import Any

from django.apps import AppConfig


def _forget_pages(**kwargs: Any) -> None:
    """Empty this process's page cache when a test changes a setting (a deploy restarts instead)."""
    from django.conf import settings
    from django.core.cache import caches

    caches[settings.PAGE_CACHE_ALIAS].clear()


class PageCacheConfig(AppConfig):
    name = "paperwire.pagecache"
    label = "pagecache"
    verbose_name = "Page cache"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.test.signals import setting_changed

        from .generation import watch_connection

        connection_created.connect(watch_connection, dispatch_uid="pagecache-watch")
        setting_changed.connect(_forget_pages, dispatch_uid="pagecache-settings")
