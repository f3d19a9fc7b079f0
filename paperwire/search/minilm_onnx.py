"""Build all-MiniLM-L6-v2 as an ONNX graph from its safetensors weights, without torch.

The graph is BERT's forward pass written with onnx's helper API over the numpy arrays
safetensors reads, followed by sentence-transformers' mean pooling and L2 normalisation:
inputs input_ids and attention_mask (int64, batch × tokens), output sentence_embedding
(float32, batch × 384, unit length). token_type_ids are always 0 for one-sentence input, so
the type embedding is folded into a constant.

The weights are written beside the graph (OUT.weights), each at an offset aligned to 64 KiB:
ONNX Runtime then memory-maps them instead of copying them out of the protobuf, so the
processes of one machine share the word embeddings' pages and each holds ~40 MB less.

    python -m paperwire.search.minilm_onnx OUT.onnx [--model-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

OPSET = 17  # the first opset with LayerNormalization; ONNX Runtime ≥ 1.14 runs it
VERSION = 2  # bump when the graph or its files change, so cached builds are made again
INPUTS = ("input_ids", "attention_mask")
OUTPUT = "sentence_embedding"
MASKED = -10000.0  # added to the attention score of a padding token (BERT's own constant)
NORM_EPS = 1e-12  # torch.nn.functional.normalize's floor on the norm
POOL_EPS = 1e-9  # sentence-transformers' floor on the token count in mean pooling
ALIGN = 65536  # ONNX Runtime maps external data only at offsets aligned to the mapping granularity
EXTERNAL_MIN = 4096  # bytes: smaller tensors stay inside the graph file


class _Graph:
    """Collect nodes and initializers; each op returns the name of its output."""

    def __init__(self, helper: Any, numpy_helper: Any) -> None:
        self.h, self.nh = helper, numpy_helper
        self.nodes: list[Any] = []
        self.inits: list[Any] = []
        self.n = 0

    def const(self, name: str, value: np.ndarray) -> str:
        self.inits.append(self.nh.from_array(np.array(value, order="C"), name))  # keeps 0-d scalars 0-d
        return name

    def op(self, kind: str, *inputs: str, **attrs: Any) -> str:
        self.n += 1
        out = f"{kind.lower()}_{self.n}"
        self.nodes.append(self.h.make_node(kind, list(inputs), [out], **attrs))
        return out


def _linear(g: _Graph, x: str, w: dict[str, np.ndarray], prefix: str) -> str:
    """Return x @ W.T + b for the dense layer at prefix (the weight stored transposed once here)."""
    weight = g.const(f"{prefix}.weight_t", w[f"{prefix}.weight"].T.astype(np.float32))
    bias = g.const(f"{prefix}.bias", w[f"{prefix}.bias"].astype(np.float32))
    return g.op("Add", g.op("MatMul", x, weight), bias)


def _layer_norm(g: _Graph, x: str, w: dict[str, np.ndarray], prefix: str, eps: float) -> str:
    scale = g.const(f"{prefix}.weight", w[f"{prefix}.weight"])
    bias = g.const(f"{prefix}.bias", w[f"{prefix}.bias"])
    return g.op("LayerNormalization", x, scale, bias, axis=-1, epsilon=eps)


def build(weights: dict[str, np.ndarray], config: dict[str, Any]) -> Any:
    """Return the ONNX ModelProto of the BERT encoder + mean pooling + L2 norm for these weights."""
    from onnx import TensorProto, helper, numpy_helper

    g = _Graph(helper, numpy_helper)
    hidden = int(config["hidden_size"])
    heads = int(config["num_attention_heads"])
    head_dim = hidden // heads
    eps = float(config.get("layer_norm_eps", 1e-12))
    w = {k: np.asarray(v) for k, v in weights.items()}

    # Shapes taken from the input, so any batch size and length up to 512 runs.
    shape = g.op("Shape", "input_ids")
    batch = g.op("Gather", shape, g.const("c_zero", np.array(0, dtype=np.int64)), axis=0)
    seq = g.op("Gather", shape, g.const("c_one", np.array(1, dtype=np.int64)), axis=0)

    # Embeddings: word + position + type 0, then LayerNorm.
    words = g.op("Gather", g.const("word_embeddings", w["embeddings.word_embeddings.weight"]), "input_ids")
    positions = g.op(
        "Range",
        g.const("c_zero_s", np.array(0, dtype=np.int64)),
        seq,
        g.const("c_one_s", np.array(1, dtype=np.int64)),
    )
    pos = g.op(
        "Gather", g.const("position_embeddings", w["embeddings.position_embeddings.weight"]), positions
    )
    type0 = g.const("token_type_0", w["embeddings.token_type_embeddings.weight"][0])
    x = g.op("Add", g.op("Add", words, pos), type0)
    x = _layer_norm(g, x, w, "embeddings.LayerNorm", eps)

    # Attention bias: 0 for a real token, MASKED for padding; shape batch × 1 × 1 × tokens.
    maskf = g.op("Cast", "attention_mask", to=TensorProto.FLOAT)
    bias = g.op(
        "Mul",
        g.op("Sub", g.const("c_one_f", np.array(1.0, dtype=np.float32)), maskf),
        g.const("c_masked", np.array(MASKED, dtype=np.float32)),
    )
    bias = g.op("Unsqueeze", bias, g.const("c_axes_12", np.array([1, 2], dtype=np.int64)))

    # batch × tokens × heads × head_dim, for splitting the hidden vector into heads
    split_shape = g.op(
        "Concat",
        g.op("Unsqueeze", batch, g.const("c_axis0", np.array([0], dtype=np.int64))),
        g.op("Unsqueeze", seq, "c_axis0"),
        g.const("c_heads", np.array([heads, head_dim], dtype=np.int64)),
        axis=0,
    )
    merge_shape = g.op(
        "Concat",
        g.op("Unsqueeze", batch, "c_axis0"),
        g.op("Unsqueeze", seq, "c_axis0"),
        g.const("c_hidden", np.array([hidden], dtype=np.int64)),
        axis=0,
    )
    scale = g.const("c_scale", np.array(1.0 / np.sqrt(head_dim), dtype=np.float32))
    half = g.const("c_half", np.array(0.5, dtype=np.float32))
    one = "c_one_f"
    sqrt2 = g.const("c_sqrt2", np.array(np.sqrt(2.0), dtype=np.float32))

    for i in range(int(config["num_hidden_layers"])):
        p = f"encoder.layer.{i}"
        q = g.op("Reshape", _linear(g, x, w, f"{p}.attention.self.query"), split_shape)
        k = g.op("Reshape", _linear(g, x, w, f"{p}.attention.self.key"), split_shape)
        v = g.op("Reshape", _linear(g, x, w, f"{p}.attention.self.value"), split_shape)
        q = g.op("Transpose", q, perm=[0, 2, 1, 3])
        k = g.op("Transpose", k, perm=[0, 2, 3, 1])
        v = g.op("Transpose", v, perm=[0, 2, 1, 3])
        scores = g.op("Add", g.op("Mul", g.op("MatMul", q, k), scale), bias)
        probs = g.op("Softmax", scores, axis=-1)
        ctx = g.op("Reshape", g.op("Transpose", g.op("MatMul", probs, v), perm=[0, 2, 1, 3]), merge_shape)
        attn = _linear(g, ctx, w, f"{p}.attention.output.dense")
        x = _layer_norm(g, g.op("Add", attn, x), w, f"{p}.attention.output.LayerNorm", eps)
        inter = _linear(g, x, w, f"{p}.intermediate.dense")
        # BERT's exact GELU: x · ½ · (1 + erf(x / √2)); ONNX Runtime fuses this pattern.
        gelu = g.op("Mul", g.op("Mul", inter, half), g.op("Add", g.op("Erf", g.op("Div", inter, sqrt2)), one))
        out = _linear(g, gelu, w, f"{p}.output.dense")
        x = _layer_norm(g, g.op("Add", out, x), w, f"{p}.output.LayerNorm", eps)

    # Mean pooling over real tokens, then unit length.
    m = g.op("Unsqueeze", maskf, g.const("c_axis2", np.array([2], dtype=np.int64)))
    summed = g.op(
        "ReduceSum", g.op("Mul", x, m), g.const("c_one_axis", np.array([1], dtype=np.int64)), keepdims=0
    )
    count = g.op(
        "Max",
        g.op("ReduceSum", maskf, "c_one_axis", keepdims=1),
        g.const("c_pool_eps", np.array(POOL_EPS, dtype=np.float32)),
    )
    pooled = g.op("Div", summed, count)
    norm = g.op(
        "Max",
        g.op("ReduceL2", pooled, axes=[-1], keepdims=1),  # axes: an attribute until opset 18
        g.const("c_norm_eps", np.array(NORM_EPS, dtype=np.float32)),
    )
    g.nodes.append(helper.make_node("Div", [pooled, norm], [OUTPUT]))

    graph = helper.make_graph(
        g.nodes,
        "all-MiniLM-L6-v2",
        [helper.make_tensor_value_info(n, TensorProto.INT64, ["batch", "tokens"]) for n in INPUTS],
        [helper.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, ["batch", hidden])],
        initializer=g.inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8  # readable by every ONNX Runtime that knows opset 17
    model.producer_name = f"paperwire.search.minilm_onnx v{VERSION}"
    return model


def build_from_dir(model_dir: Path) -> bytes:
    """Return the serialized ONNX model for the safetensors weights in model_dir."""
    from safetensors.numpy import load_file

    config = json.loads((model_dir / "config.json").read_text())
    weights = load_file(str(model_dir / "model.safetensors"))
    return bytes(build(weights, config).SerializeToString())


def write(model_dir: Path, out: Path) -> None:
    """Build the model and write it as out (the graph) and out.weights, each renamed into place.

    The weights file is renamed first, so a graph file that exists always has its weights; two
    processes building at once write the same bytes.
    """
    from onnx import TensorProto, load_from_string, numpy_helper, save_model

    model = load_from_string(build_from_dir(model_dir))
    weights = out.with_suffix(".weights")
    tmp_w = weights.with_name(f"{weights.name}.tmp{os.getpid()}")
    offset = 0
    with open(tmp_w, "wb") as f:
        for t in model.graph.initializer:
            raw = numpy_helper.to_array(t).tobytes()
            if len(raw) < EXTERNAL_MIN:
                continue
            pad = -offset % ALIGN
            f.write(b"\0" * pad)
            offset += pad
            f.write(raw)
            t.ClearField("raw_data")
            t.data_location = TensorProto.EXTERNAL
            for key, value in (
                ("location", weights.name),
                ("offset", str(offset)),
                ("length", str(len(raw))),
            ):
                entry = t.external_data.add()
                entry.key, entry.value = key, value
            offset += len(raw)
    os.replace(tmp_w, weights)
    tmp = out.with_name(f"{out.name}.tmp{os.getpid()}")
    save_model(model, str(tmp))
    os.replace(tmp, out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--model-dir", type=Path, default=None, help="default: the installed weights")
    args = parser.parse_args()
    from .embedding import model_dir

    write(args.model_dir or Path(model_dir()), args.out)
    size = args.out.stat().st_size + args.out.with_suffix(".weights").stat().st_size
    print(f"wrote {args.out} and its .weights ({size / 2**20:.1f} MiB)")


if __name__ == "__main__":
    main()
