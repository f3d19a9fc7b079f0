from django.urls import path

from . import member

urlpatterns = [
    path("settings/my-data.json", member.member_download, name="member_data"),
]
