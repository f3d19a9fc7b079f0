from django.urls import path

from . import views

urlpatterns = [path("settings/theme", views.set_theme, name="theme")]
