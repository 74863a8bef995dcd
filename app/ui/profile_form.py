"""The 起案 profile form, derived from `MunicipalityProfile` so the form can never drift from the model.

One input per field: a dropdown for Literal choices, a number for ints, a multi-line textbox (one item per line)
for lists of strings, a JSON textbox for anything nested, a textbox otherwise. Empty inputs are left out of the
profile, so the drafting core marks them 要確認 instead of guessing.
"""

from __future__ import annotations

import json
import types
import typing
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

LONG_TEXT_HINTS = ("issue", "課題", "note", "memo", "description", "background", "current", "tasks", "goal")


class ProfileFormError(ValueError):
    """The form does not make a valid profile; the message names the fields (Japanese first)."""


def _profile_model() -> type[BaseModel]:
    from app.drafting.profile import MunicipalityProfile

    return MunicipalityProfile


def _members(annotation: Any) -> tuple[Any, ...]:
    """The non-None members of a union (or the annotation itself)."""
    if get_origin(annotation) in (typing.Union, types.UnionType):
        return tuple(a for a in get_args(annotation) if a is not type(None))
    return (annotation,)


def _is_list(annotation: Any) -> bool:
    return any(get_origin(a) in (list, tuple, set) for a in _members(annotation))


def _list_item(annotation: Any) -> Any:
    for a in _members(annotation):
        if get_origin(a) in (list, tuple, set):
            args = get_args(a)
            return args[0] if args else str
    return None


def _is_int(annotation: Any) -> bool:
    return any(a is int for a in _members(annotation))


def _is_float(annotation: Any) -> bool:
    return any(a is float for a in _members(annotation))


def _is_bool(annotation: Any) -> bool:
    return any(a is bool for a in _members(annotation))


def _is_model(annotation: Any) -> bool:
    return any(isinstance(a, type) and issubclass(a, BaseModel) for a in _members(annotation))


def literal_choices(annotation: Any) -> list[str] | None:
    """Choices of a Literal field (or of a list of Literals), else None."""
    for candidate in _members(annotation):
        if get_origin(candidate) is typing.Literal:
            return [str(a) for a in get_args(candidate)]
        if get_origin(candidate) in (list, tuple, set):
            inner = _list_item(candidate)
            if get_origin(inner) is typing.Literal:
                return [str(a) for a in get_args(inner)]
    return None


def field_widget(name: str, annotation: Any) -> str:
    """Which input a field gets: dropdown | multiselect | number | checkbox | lines | json | long_text | text."""
    choices = literal_choices(annotation)
    if choices:
        return "multiselect" if _is_list(annotation) else "dropdown"
    if _is_bool(annotation):
        return "checkbox"
    if _is_int(annotation) or _is_float(annotation):
        return "number"
    if _is_list(annotation):
        item = _list_item(annotation)
        return "json" if _is_model(item) or get_origin(item) is dict else "lines"
    if _is_model(annotation) or get_origin(annotation) is dict or annotation is dict:
        return "json"
    if any(h in name.lower() for h in LONG_TEXT_HINTS):
        return "long_text"
    return "text"


def profile_components(model: type[BaseModel] | None = None, prefix: str = "dx-profile") -> dict[str, Any]:
    """One Gradio input per profile field (label = field title or description), created unrendered: the caller
    places them with `.render()`. `prefix` keeps element ids unique when two tabs each have a form."""
    import gradio as gr

    model = model or _profile_model()
    components: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        if isinstance(field.json_schema_extra, dict) and field.json_schema_extra.get("form") is False:
            continue  # describes the profile file (an example's label), not the municipality
        label = field.title or field.description or name
        info = field.description if field.title else None
        required = field.is_required()
        if required and "必須" not in label:
            label = f"{label}（必須）"
        widget = field_widget(name, field.annotation)
        elem_id = f"{prefix}-{name}"
        common = {"elem_id": elem_id, "render": False}
        if widget in ("dropdown", "multiselect"):
            components[name] = gr.Dropdown(choices=literal_choices(field.annotation), label=label, info=info,
                                           multiselect=widget == "multiselect", value=None, **common)
        elif widget == "checkbox":
            components[name] = gr.Checkbox(label=label, info=info, value=bool(field.default), **common)
        elif widget == "number":
            components[name] = gr.Number(label=label, info=info, precision=0 if _is_int(field.annotation) else None,
                                         value=None, **common)
        elif widget == "lines":
            hint = info if info and "1行に1つ" in info else ((info or "") + "（1行に1つ）").strip()
            components[name] = gr.Textbox(label=label, info=hint, lines=3,
                                          **common)
        elif widget == "json":
            components[name] = gr.Code(label=f"{label}（JSON）", language="json", **common)
        else:
            components[name] = gr.Textbox(label=label, info=info, lines=4 if widget == "long_text" else 1,
                                          **common)
    return components


def form_to_data(names: list[str], values: list[Any], model: type[BaseModel] | None = None) -> dict[str, Any]:
    """Form values -> the dict a profile validates from; empty inputs are omitted (they become 要確認)."""
    model = model or _profile_model()
    data: dict[str, Any] = {}
    for name, value in zip(names, values, strict=True):
        if value is None or value == [] or (isinstance(value, str) and not value.strip()):
            continue
        field = model.model_fields[name]
        annotation = field.annotation
        widget = field_widget(name, annotation)
        if widget == "number" and value == 0 and field.default is None:
            continue  # an untouched number box shows 0: "not given", never a population of zero
        if widget == "lines" and isinstance(value, str):
            value = [v.strip() for v in value.splitlines() if v.strip()]
        elif widget == "json" and isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                raise ProfileFormError(f"{name}: JSONとして読めません（{exc.msg}）") from exc
        elif widget == "number" and isinstance(value, float) and value.is_integer() and _is_int(annotation):
            value = int(value)
        elif isinstance(value, str):
            value = value.strip()
        data[name] = value
    return data


def profile_from_form(names: list[str], values: list[Any], model: type[BaseModel] | None = None) -> BaseModel:
    """Form values -> a validated profile; a `gr.Error` naming each bad field otherwise."""
    import gradio as gr

    model = model or _profile_model()
    try:
        data = form_to_data(names, values, model)
        if model.__name__ == "MunicipalityProfile":  # its own parser names fields in Japanese
            from app.drafting.profile import ProfileError, parse_profile

            try:
                return parse_profile(data, origin="フォーム")
            except ProfileError as exc:
                raise gr.Error(str(exc)) from exc
        return model.model_validate(data)
    except ProfileFormError as exc:
        raise gr.Error(f"プロファイルの入力を確認してください: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(全体)'}: {e['msg']}" for e in exc.errors())
        raise gr.Error(f"プロファイルの入力を確認してください: {problems}") from exc


def profile_to_form(profile: BaseModel, names: list[str]) -> list[Any]:
    """A profile -> one value per form input (the inverse of `form_to_data` for the same widgets)."""
    fields = type(profile).model_fields
    data = profile.model_dump(mode="json")
    out: list[Any] = []
    for name in names:
        value = data.get(name)
        widget = field_widget(name, fields[name].annotation) if name in fields else "text"
        if value is None:
            out.append(None if widget in ("number", "dropdown", "multiselect") else "")
        elif widget == "lines":
            out.append("\n".join(str(v) for v in value))
        elif widget == "json":
            out.append(json.dumps(value, ensure_ascii=False, indent=2))
        else:
            out.append(value)
    return out


def example_labels() -> dict[str, str]:
    """File stem → the Japanese label an example profile carries (its `label` field; the stem if it has none)."""
    import yaml

    labels = {}
    for stem, path in example_profiles().items():
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            data = {}
        labels[stem] = str(data.get("label") or stem) if isinstance(data, dict) else stem
    return labels


def example_profiles() -> dict[str, Path]:
    """Example profiles shipped in app/examples/ (written by the drafting engineer), by file stem."""
    from app.config import PROJECT_ROOT

    folder = PROJECT_ROOT / "app" / "examples"
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml"), *folder.glob("*.json")])}
