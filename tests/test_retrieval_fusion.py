"""Reciprocal-rank fusion on a hand-made example."""

from __future__ import annotations

import pytest

from app.retrieval.hybrid import rrf_fuse


def test_rrf_rewards_agreement_between_lists() -> None:
    dense = ["x", "y", "z"]
    bm25 = ["y", "w", "x"]
    fused = rrf_fuse({"dense": dense, "bm25": bm25}, rrf_k=60)
    ids = [cid for cid, _ in fused]
    # y: 1/62 + 1/61, x: 1/61 + 1/63, w: 1/62, z: 1/63
    assert ids == ["y", "x", "w", "z"]
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)


def test_rrf_weights_and_ties() -> None:
    fused = rrf_fuse({"dense": ["a", "b"], "bm25": ["b", "a"]}, rrf_k=1, weights={"dense": 2.0, "bm25": 1.0})
    assert [c for c, _ in fused] == ["a", "b"]  # a: 2/2 + 1/3 > b: 2/3 + 1/2
    tie = rrf_fuse({"dense": ["p"], "bm25": ["q"]}, rrf_k=60)
    assert [c for c, _ in tie] == ["p", "q"]  # equal scores keep first-seen order
    assert rrf_fuse({"dense": [], "bm25": []}, rrf_k=60) == []
