from django.urls import re_path

from . import views

urlpatterns = [
    # The same ids as the paper page (old-style ones carry a slash), then the format's ending.
    re_path(
        r"^papers/(?P<arxiv_id>[A-Za-z.-]+/\d{7}(?:v\d+)?|\d{4}\.\d{4,5}(?:v\d+)?)"
        r"\.(?P<ext>bib|ris|csl\.json|md)$",
        views.paper_file,
        name="paper-file",
    ),
]
