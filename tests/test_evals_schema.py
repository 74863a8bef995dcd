"""Eval-file loading: YAML sets, the reviewers' JSONL format, and bad items named by file and line."""

from __future__ import annotations

import json
from pathlib import Path

from evals.schema import load_items


def test_hidden_jsonl_format_with_extra_keys(tmp_path: Path) -> None:
    path = tmp_path / "hidden.jsonl"
    rows = [
        {"id": "h1", "question": "ガイドブックは何ページ？", "reference_facts": ["62ページ"], "must_not": [], "kind": "qa",
         "difficulty": "easy", "source": "note"},
        {"id": "h2", "question": "市民税の納付方法は？", "reference_facts": [], "must_not": ["コンビニ"], "kind": "abstain"},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    items, errors = load_items([path])
    assert errors == []
    assert [i.id for i in items] == ["h1", "h2"]
    assert items[0].reference_facts == ["62ページ"] and items[1].kind == "abstain"
    assert items[0].source_line == 1 and items[1].source_line == 2


def test_malformed_jsonl_lines_are_skipped_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(
        '{"id": "ok1", "question": "質問", "kind": "qa"}\n'
        '{"id": "broken", "question": \n'
        '\n'
        '{"id": "nokind", "question": "x", "kind": "essay"}\n'
        '{"id": "noq", "kind": "qa"}\n'
        '["not", "a", "mapping"]\n'
        '{"id": "ok2", "question": "質問2"}\n',
        encoding="utf-8",
    )
    items, errors = load_items([path])
    assert [i.id for i in items] == ["ok1", "ok2"]
    assert [e.line for e in errors] == [2, 4, 5, 6]
    assert all(e.file == str(path) for e in errors)
    assert f"{path}:2:" in str(errors[0]) and "JSON" in str(errors[0])
    assert "kind" in errors[1].message
    assert "question" in errors[2].message


def test_yaml_item_errors_name_the_item_line(tmp_path: Path) -> None:
    path = tmp_path / "set.yaml"
    path.write_text(
        "- id: a\n  question: 質問A\n"
        "- id: b\n  kind: posting\n"          # a draft without a profile
        "- id: c\n  question: 質問C\n  reference_facts: [238, 13.7%]\n",
        encoding="utf-8",
    )
    items, errors = load_items([path])
    assert [i.id for i in items] == ["a", "c"]
    assert items[1].reference_facts == ["238", "13.7%"]
    assert len(errors) == 1 and errors[0].line == 3 and "profile" in errors[0].message


def test_unparseable_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("- id: a\n  question: [unclosed\n- id: b\n", encoding="utf-8")
    items, errors = load_items([path])
    assert items == [] and len(errors) == 1 and errors[0].line >= 2 and "YAML" in errors[0].message


def test_duplicate_ids_and_missing_files(tmp_path: Path) -> None:
    one = tmp_path / "one.jsonl"
    one.write_text('{"id": "x", "question": "q"}\n{"id": "x", "question": "q2"}\n', encoding="utf-8")
    items, errors = load_items([one, tmp_path / "nope.yaml"])
    assert [i.id for i in items] == ["x"]
    assert any("duplicate" in e.message and e.line == 2 for e in errors)
    assert any("not found" in e.message for e in errors)


def test_items_mapping_form_and_multi_turn(tmp_path: Path) -> None:
    path = tmp_path / "mt.yaml"
    path.write_text("items:\n- id: m\n  turns: [地域活性化起業人とは？]\n  question: それの予算は？\n", encoding="utf-8")
    items, errors = load_items([path])
    assert errors == [] and items[0].turns == ["地域活性化起業人とは？"]
    assert "起業人" in items[0].retrieval_query and "予算" in items[0].retrieval_query
