"""A project folder for a team: ``eventgold init`` copies the packaged configuration and samples.

The layout made by :func:`init_project`::

    label_config/   ontology.yaml, actors.yaml, GUIDELINES.md, actors_events.xml (to edit)
    samples/        articles/ (five seed articles), gold/v1 (a sample gold version)
    exports/        snapshots, gold versions and training data go here
    .gitignore      keeps .eventgold/ (credentials, server data) out of git
    README.md       the next commands

Every verb run inside the folder (or below it) finds ``label_config/`` there
(:func:`eventgold.config.find_config_dir`). Nothing that exists is overwritten,
so running it twice changes nothing.
"""

from __future__ import annotations

import shutil
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from eventgold.config import CONFIG_DIR_NAME, ONTOLOGY_FILE, WORKSPACE_NAME, find_project_config
from eventgold.errors import EventgoldWarning, UserError
from eventgold.fileio import atomic_write_text
from eventgold.resources import packaged_label_config, packaged_samples

CONFIG_FILES = ("ontology.yaml", "actors.yaml", "GUIDELINES.md", "actors_events.xml")
GITIGNORE_LINE = f"{WORKSPACE_NAME}/"


@dataclass
class InitResult:
    """What :func:`init_project` did, as paths relative to ``folder``."""

    folder: Path
    written: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """The result for ``--json``."""
        return {"folder": str(self.folder), "written": self.written, "kept": self.kept, "updated": self.updated}


def project_readme(name: str) -> str:
    """The README.md of a new project folder: what each part is for and the next commands."""
    return f"""# {name}: an eventgold project

| folder | what it holds |
|---|---|
| `label_config/` | what can be annotated: `ontology.yaml` (after editing it, run `eventgold config render`), \
the actor dictionary `actors.yaml`, the annotation guidelines `GUIDELINES.md`, the rendered Label Studio config |
| `samples/` | five seed articles and a sample gold version, to try the commands on |
| `exports/` | corpora, predictions, snapshots pulled from Label Studio, gold versions, training data |
| `.eventgold/` | the local Label Studio's data and its credentials (kept out of git) |

Next commands, run in this folder:

```bash
eventgold up                                   # a local Label Studio with the samples, pre-annotated
eventgold ingest samples/articles -o exports/corpus.jsonl
eventgold extract exports/corpus.jsonl -e rules -o exports/predictions/rules.jsonl
eventgold score --gold samples/gold/v1 --pred exports/predictions/rules.jsonl
eventgold push exports/corpus.jsonl --predictions exports/predictions/rules.jsonl --project news
eventgold pull --project news                  # after annotating: a snapshot in exports/raw/
eventgold gold build exports/raw/*.json -o exports/gold/v1
```

`eventgold --help` lists every verb; each has `--help` with an example.
"""


def _copy(source: Path, target: Path, rel: str, result: InitResult) -> None:
    if target.exists():
        result.kept.append(rel)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    result.written.append(rel)


def _copy_tree(source: Path, target: Path, rel: str, result: InitResult) -> None:
    for item in sorted(source.rglob("*")):
        if item.is_file() and "__pycache__" not in item.parts:
            sub = item.relative_to(source)
            _copy(item, target / sub, f"{rel}/{sub.as_posix()}", result)


def init_project(folder: Path, *, samples: bool = True) -> InitResult:
    """Make (or complete) a project folder at ``folder``; never overwrite a file.

    Args:
        folder: the project folder, created when missing.
        samples: also copy the packaged ``samples/`` (articles and sample gold).

    Returns:
        An :class:`InitResult` listing written, kept (already there) and updated
        (``.gitignore`` given the workspace line) paths.

    Raises:
        UserError: ``folder`` exists and is not a folder, or cannot be written.
    """
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{folder}: exists and is not a folder; give a new or existing folder to `eventgold init`")
    outer = enclosing_project(folder)
    if outer is not None:
        warnings.warn(
            EventgoldWarning(
                f"{folder} is inside the project {outer}: this makes a nested project, and verbs run in "
                f"it will use its own label_config/, not {outer / CONFIG_DIR_NAME}"
            ),
            stacklevel=2,
        )
    result = InitResult(folder=folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        config = packaged_label_config()
        for name in CONFIG_FILES:
            _copy(config / name, folder / CONFIG_DIR_NAME / name, f"{CONFIG_DIR_NAME}/{name}", result)
        if samples:
            _copy_tree(packaged_samples(), folder / "samples", "samples", result)
        exports = folder / "exports"
        if exports.is_dir():
            result.kept.append("exports/")
        else:
            exports.mkdir()
            result.written.append("exports/")
        _gitignore(folder / ".gitignore", result)
        readme = folder / "README.md"
        if readme.exists():
            result.kept.append("README.md")
        else:
            atomic_write_text(readme, project_readme(folder.resolve().name))
            result.written.append("README.md")
    except OSError as exc:
        raise UserError(f"{folder}: cannot make the project folder ({exc.strerror or exc})") from exc
    return result


def enclosing_project(folder: Path) -> Path | None:
    """The project folder ``folder`` would be nested in, or None.

    None when ``folder`` is itself a project (``init`` run again) or no folder above it holds a
    ``label_config/ontology.yaml``.
    """
    here = folder.resolve()
    if (here / CONFIG_DIR_NAME / ONTOLOGY_FILE).is_file():
        return None
    found = find_project_config(here.parent)
    return found.parent if found is not None else None


def _gitignore(path: Path, result: InitResult) -> None:
    if not path.exists():
        atomic_write_text(path, f"# eventgold: credentials and the local server's data\n{GITIGNORE_LINE}\n")
        result.written.append(".gitignore")
        return
    text = path.read_text(encoding="utf-8")
    lines = {line.strip() for line in text.splitlines()}
    if GITIGNORE_LINE in lines or WORKSPACE_NAME in lines or f"/{GITIGNORE_LINE}" in lines:
        result.kept.append(".gitignore")
        return
    separator = "" if not text or text.endswith("\n") else "\n"
    atomic_write_text(path, f"{text}{separator}{GITIGNORE_LINE}\n")
    result.updated.append(".gitignore")
