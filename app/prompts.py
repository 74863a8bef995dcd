"""Prompt templates live in ``prompts/`` as files and are loaded and validated by name.

A prompt file is Markdown with YAML front matter::

    ---
    name: answer_synthesis_system
    version: 2
    description: …
    variables: [question, context]
    ---
    Jinja2 template text using {{ question }} and {{ context }}

The front matter is checked with ``extra="forbid"`` (as simonw/llm does for its templates), the variables the
template really uses must equal the declared ones, and rendering refuses a missing or an unexpected
variable. A typo in a prompt therefore fails at load time, not as a silently empty slot in production.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import frontmatter
import jinja2
from jinja2 import meta
from pydantic import BaseModel, ConfigDict, Field

from app.config import PROJECT_ROOT


class PromptError(ValueError):
    """A prompt file is malformed, or it was rendered with the wrong variables."""


class PromptSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    version: int = Field(ge=1)
    description: str = ""
    variables: list[str] = Field(default_factory=list)


_ENV = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=False, autoescape=False)


class Prompt:
    """A loaded, validated template."""

    def __init__(self, spec: PromptSpec, template_text: str, path: Path) -> None:
        self.spec = spec
        self.path = path
        self.text = template_text
        self._template = _ENV.from_string(template_text)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def version(self) -> int:
        return self.spec.version

    def render(self, **variables: object) -> str:
        declared = set(self.spec.variables)
        given = set(variables)
        if given != declared:
            missing, extra = sorted(declared - given), sorted(given - declared)
            raise PromptError(f"prompt '{self.name}': missing variables {missing}, unexpected variables {extra}")
        return self._template.render(**variables).strip()


def load_prompt_file(path: Path) -> Prompt:
    try:
        post = frontmatter.load(path)
    except Exception as exc:  # yaml errors come in several types
        raise PromptError(f"{path.name}: front matter is not valid YAML: {exc}") from exc
    try:
        spec = PromptSpec.model_validate(post.metadata)
    except Exception as exc:
        raise PromptError(f"{path.name}: invalid front matter: {exc}") from exc
    if spec.name != path.stem:
        raise PromptError(f"{path.name}: front matter name '{spec.name}' must match the file name")
    used = meta.find_undeclared_variables(_ENV.parse(post.content))
    if used != set(spec.variables):
        raise PromptError(
            f"{path.name}: template uses {sorted(used)} but declares {sorted(spec.variables)}"
        )
    return Prompt(spec, post.content, path)


@cache
def _load_cached(directory: str, name: str) -> Prompt:
    path = Path(directory) / f"{name}.md"
    if not path.is_file():
        raise PromptError(f"no prompt named '{name}' in {directory}")
    return load_prompt_file(path)


def load_prompt(name: str, directory: Path | None = None) -> Prompt:
    """Load ``prompts/<name>.md`` (cached: prompt files do not change while the app runs)."""
    return _load_cached(str(directory or PROJECT_ROOT / "prompts"), name)


def all_prompts(directory: Path | None = None) -> list[Prompt]:
    directory = directory or PROJECT_ROOT / "prompts"
    return [load_prompt_file(p) for p in sorted(directory.glob("*.md")) if p.name != "README.md"]
