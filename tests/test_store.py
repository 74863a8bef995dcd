"""app/store.py: chunk <-> Chroma record, generations, the CURRENT pointer."""

from __future__ import annotations

import pytest

from app.config import Settings
from app.schemas import Chunk
from app.store import (
    StoreError,
    add_chunks,
    chunk_from_record,
    chunk_to_metadata,
    current_generation,
    delete_generation,
    generation_dir,
    get_collection,
    iter_records,
    list_generations,
    new_generation_name,
    open_index,
    publish_generation,
)


def _chunk(i: int, page: int | None = 3) -> Chunk:
    return Chunk(chunk_id=f"c{i}", text=f"本文{i}です。", source="a.pdf", title="題", kind="official", page=page,
                 heading_path=["第1章", "第2節"], doc_hash="h" * 64, content_hash=f"{i}" * 64,
                 extra={"doc_id": "a", "step": "2,3", "step_2": True, "population": 1000})


@pytest.mark.parametrize("page", [3, None])
def test_chunk_metadata_round_trip(page: int | None) -> None:
    chunk = _chunk(1, page)
    meta = chunk_to_metadata(chunk)
    assert all(isinstance(v, str | int | float | bool) for v in meta.values())
    assert chunk_from_record(chunk.chunk_id, chunk.text, meta) == chunk


def test_generations_publish_and_delete(settings: Settings) -> None:
    assert open_index(settings) is None and current_generation(settings) is None
    g1, g2 = new_generation_name(), new_generation_name()
    assert g1 < g2
    for g in (g1, g2):
        col = get_collection(settings, g, create=True)
        add_chunks(col, [_chunk(1), _chunk(2)], [[1.0, 0.0], [0.0, 1.0]])
        generation_dir(settings, g).mkdir(parents=True)
    publish_generation(settings, g1)
    assert open_index(settings).generation == g1
    assert list_generations(settings) == [g1, g2]
    with pytest.raises(StoreError):
        delete_generation(settings, g1)  # never the serving one
    delete_generation(settings, g2)
    assert list_generations(settings) == [g1]
    assert not (settings.index_dir / "CURRENT.tmp").exists()


def test_iter_records_returns_requested_order_and_embeddings(settings: Settings) -> None:
    col = get_collection(settings, new_generation_name(), create=True)
    add_chunks(col, [_chunk(i) for i in range(5)], [[float(i), 1.0] for i in range(5)])
    ids, vecs, docs, metas = next(iter_records(col, ["c3", "c0", "c4"]))
    assert ids == ["c3", "c0", "c4"] and docs == ["本文3です。", "本文0です。", "本文4です。"]
    assert [round(float(v[0])) for v in vecs] == [3, 0, 4]
    assert metas[0]["x_doc_id"] == "a"
    with pytest.raises(StoreError):
        next(iter_records(col, ["missing"]))
