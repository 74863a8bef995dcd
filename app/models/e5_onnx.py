"""The same multilingual-e5-small weights as an int8 ONNX model run by onnxruntime: no torch at run time.

Why: through sentence-transformers the e5 model costs ~770 MB of RAM in a serving process (torch ~180 MB + fp32
weights ~590 MB) and embeds ~2–3× slower than onnxruntime's int8 kernels on a 2-core CPU. The export is built once,
offline, from the `e5-small-offline` folder (app/models/e5_offline.py) into `models_dir/e5-small-offline-onnx/`:

* the BertModel with mean pooling and L2 normalisation inside the graph (the output is the sentence embedding),
  exported by torch.onnx (torch is needed for the build only),
* weights quantised to int8 per channel by onnxruntime's `quantize_dynamic`, except the first and the last two
  layers, which stay fp32: on 357 corpus passages per-tensor int8 of every layer drifted to cosine 0.980 (min), per
  channel to 0.989, per channel with those three layers kept to 0.994 (mean 0.997),
* the folder's own `tokenizer.json` and e5 prompts (`query: ` / `passage: `).

Each build is checked against the sentence-transformers folder's vectors (`MIN_COSINE`) before it is published
(temporary folder, then rename), like the e5 folder itself.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np

from app.models.errors import EmbeddingModelError

FOLDER_NAME = "e5-small-offline-onnx"
MODEL_FILE = "model_qint8.onnx"
BUILD_MARKER = "dxhire-build.json"
BUILD_FORMAT = 2
MIN_COSINE = 0.99
MAX_TOKENS = 512
_VERIFY_TEXTS = [
    "外部デジタル人材の確保に向けて、まず業務課題を特定し、必要な人材要件を定義する。",
    "地域活性化起業人は、三大都市圏に所在する企業の社員を自治体が一定期間受け入れる制度である。",
    "募集要項には業務内容、勤務形態、報酬、応募資格を明記し、選考の流れを示す。",
    "hello world",
]


def _marker_ok(folder: Path, source_marker: dict) -> bool:
    try:
        data = json.loads((folder / BUILD_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return data.get("format") == BUILD_FORMAT and data.get("source") == source_marker and (folder / MODEL_FILE).is_file()


def _export(st_folder: Path, out: Path) -> None:
    import torch
    from transformers import AutoModel, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(st_folder))
    bert = AutoModel.from_pretrained(str(st_folder)).eval()

    class Pooled(torch.nn.Module):
        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask):  # noqa: ANN001, ANN201
            hidden = self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    sample = tok(["query: 外部デジタル人材"], return_tensors="pt")
    with torch.no_grad():
        torch.onnx.export(
            Pooled(bert).eval(), (sample["input_ids"], sample["attention_mask"]), str(out / "model_fp32.onnx"),
            input_names=["input_ids", "attention_mask"], output_names=["sentence_embedding"],
            dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                          "sentence_embedding": {0: "batch"}},
            opset_version=17, dynamo=False,
        )


def _quantise(out: Path) -> None:
    import re

    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(out / "model_fp32.onnx"), load_external_data=False).graph
    layer = re.compile(r"/layer\.(\d+)/")
    layers = sorted({int(m.group(1)) for n in graph.node if (m := layer.search(n.name))})
    keep = set(layers[:1] + layers[-2:])  # the first and the last two layers stay fp32 (see FP32_LAYERS)
    excluded = [n.name for n in graph.node if n.op_type == "MatMul" and (m := layer.search(n.name))
                and int(m.group(1)) in keep]
    quantize_dynamic(str(out / "model_fp32.onnx"), str(out / MODEL_FILE), weight_type=QuantType.QInt8,
                     per_channel=True, nodes_to_exclude=excluded)
    (out / "model_fp32.onnx").unlink()


def _verify(out: Path, st_folder: Path) -> float:
    from sentence_transformers import SentenceTransformer

    ref_model = SentenceTransformer(str(st_folder), device="cpu", local_files_only=True)
    ref = np.vstack([ref_model.encode_query(_VERIFY_TEXTS, normalize_embeddings=True),
                     ref_model.encode_document(_VERIFY_TEXTS, normalize_embeddings=True)])
    ours = OnnxEncoder(out)
    got = np.vstack([ours.encode(_VERIFY_TEXTS, "query"), ours.encode(_VERIFY_TEXTS, "document")])
    worst = float((ref * got).sum(axis=1).min())
    if worst < MIN_COSINE:
        raise EmbeddingModelError(
            f"ONNX版e5が元のモデルと一致しません / the int8 ONNX e5 drifts from the original (min cosine {worst:.4f} "
            f"< {MIN_COSINE}); set DXHIRE_EMBED_BACKEND=sentence-transformers"
        )
    return worst


def build_e5_onnx(models_dir: Path) -> Path:
    """`models_dir/e5-small-offline-onnx`, built on first use from the e5 folder and reused afterwards."""
    from app.models.e5_offline import BUILD_MARKER as ST_MARKER
    from app.models.e5_offline import build_e5_folder

    st_folder = build_e5_folder(models_dir)
    source = json.loads((st_folder / ST_MARKER).read_text(encoding="utf-8"))
    target = Path(models_dir) / FOLDER_NAME
    if _marker_ok(target, source):
        return target
    tmp = target.with_name(f".{FOLDER_NAME}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        _export(st_folder, tmp)
        _quantise(tmp)
        shutil.copyfile(st_folder / "tokenizer.json", tmp / "tokenizer.json")
        prompts = json.loads((st_folder / "config_sentence_transformers.json").read_text(encoding="utf-8"))["prompts"]
        (tmp / "prompts.json").write_text(json.dumps(prompts, ensure_ascii=False), encoding="utf-8")
        worst = _verify(tmp, st_folder)
        (tmp / BUILD_MARKER).write_text(json.dumps({
            "format": BUILD_FORMAT, "source": source, "quantisation": "onnxruntime quantize_dynamic int8 per channel; first and last two layers fp32",
            "min_cosine_vs_sentence_transformers": worst,
        }, indent=2), encoding="utf-8")
        if _marker_ok(target, source):  # another process finished the same build meanwhile
            return target
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


class OnnxEncoder:
    """Tokenise (length-sorted batches: less padding), run the int8 graph, return L2-normalised vectors."""

    def __init__(self, folder: Path, threads: int | None = None, batch_size: int = 16) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        folder = Path(folder)
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        self.prompts = json.loads((folder / "prompts.json").read_text(encoding="utf-8"))
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or min(4, os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(folder / MODEL_FILE), options, providers=["CPUExecutionProvider"])
        self.batch_size = batch_size

    def encode(self, texts: list[str], prompt: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), np.float32)
        prefix = self.prompts.get(prompt, "")
        encodings = self.tokenizer.encode_batch([prefix + t for t in texts])
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        out: np.ndarray | None = None
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            width = max(len(encodings[i].ids) for i in rows)
            ids = np.zeros((len(rows), width), np.int64)
            mask = np.zeros((len(rows), width), np.int64)
            for r, i in enumerate(rows):
                n = len(encodings[i].ids)
                ids[r, :n] = encodings[i].ids
                mask[r, :n] = 1
            vecs = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            if out is None:
                out = np.zeros((len(texts), vecs.shape[1]), np.float32)
            out[rows] = vecs
        assert out is not None
        return out
