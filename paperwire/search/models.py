"""Sentence vectors of papers: stored in the database, searched through an index file."""

from __future__ import annotations

import numpy as np
from django.db import models

from paperwire.papers.models import Paper


class PaperVector(models.Model):
    """The sentence embedding of one paper's title and abstract (unit length, float16 bytes)."""

    paper = models.OneToOneField(Paper, on_delete=models.CASCADE, primary_key=True, related_name="vector")
    model = models.CharField(max_length=100)  # e.g. all-MiniLM-L6-v2
    dim = models.PositiveSmallIntegerField()
    dtype = models.CharField(max_length=8, default="float16")  # numpy dtype of `data`
    data = models.BinaryField()  # dim values, little-endian
    text_hash = models.CharField(max_length=32)  # digest of the text embedded; a changed paper is re-embedded
    updated_at = models.DateTimeField(db_index=True)  # feeds the vector index

    def __str__(self) -> str:
        return f"vector of paper {self.paper_id} ({self.model})"

    def array(self) -> np.ndarray:
        """Return the vector as float32."""
        return np.frombuffer(bytes(self.data), dtype=np.dtype(self.dtype).newbyteorder("<")).astype(
            np.float32
        )
