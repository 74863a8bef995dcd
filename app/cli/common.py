"""Helpers shared by every CLI verb: settings, JSON output and one-line errors."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import typer
from pydantic import BaseModel, ValidationError

from app.config import Settings


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        fail(f"設定が不正です / invalid settings: {exc}")


def print_json(payload: Any) -> None:
    if isinstance(payload, BaseModel):
        payload = payload.model_dump(mode="json")
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one clear line on stderr and exit: users never see a stack trace."""
    typer.echo(f"エラー: {message}", err=True)
    raise typer.Exit(code)
