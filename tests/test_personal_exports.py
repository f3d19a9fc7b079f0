"""A member's library, a collection and /for-you answer ?format=bibtex, ris, csljson and md."""

from __future__ import annotations

import bibtexparser
import pytest
from django.test import Client

from paperwire.personal.models import Collection, CollectionItem, LibraryItem

from .community_data import make_member, make_paper

pytestmark = pytest.mark.django_db


def test_the_library_and_a_public_collection_export_every_paper_they_hold() -> None:
    ada = make_member("ada")
    first = make_paper("2606.00031", title="Sparse attention for long documents")
    second = make_paper("2606.00032", title="Dense retrieval at scale")
    make_paper("2606.00033", title="Not saved by anyone")
    for paper in (first, second):
        LibraryItem.objects.create(user=ada, paper=paper)
    group = Collection.objects.create(user=ada, name="Reading group", public=True)
    CollectionItem.objects.create(collection=group, paper=second, note="week 3")
    reader = Client()
    reader.force_login(ada)
    library = reader.get("/library", {"format": "bibtex"})
    assert library.status_code == 200 and library["Content-Type"].startswith("application/x-bibtex")
    entries = bibtexparser.parse_string(library.content.decode()).entries
    assert sorted(e["eprint"] for e in entries) == ["2606.00031", "2606.00032"]
    assert "format=ris" in reader.get("/library").content.decode()  # the page links its exports
    # A public collection exports for anyone, signed in or not.
    ris = Client().get(f"/collections/{group.pk}", {"format": "ris"}).content.decode()
    assert ris.count("TY  - ") == 1 and "2606.00032" in ris


def test_for_you_exports_its_ranked_papers_and_nothing_muted(client: Client) -> None:
    ada = make_member("ada")
    make_paper("2606.00041", title="Speech recognition with transformers")
    make_paper("2606.00042", title="A benchmark of speech models")
    client.force_login(ada)
    client.post("/settings/mutes", {"kind": "word", "value": "benchmark"})
    csl = client.get("/for-you", {"format": "csljson"}).json()
    numbers = sorted(item["number"] for item in csl)
    assert numbers == ["arXiv:2606.00041"]
