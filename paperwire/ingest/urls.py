from django.urls import path

from . import views

urlpatterns = [path("status", views.status, name="ingest-status")]
