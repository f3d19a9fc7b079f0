from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "paperwire.ingest"
    label = "ingest"
    verbose_name = "Ingestion"
