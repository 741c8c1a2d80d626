"""A project folder for a team: ``eventgold init`` copies the packaged configuration and samples.

The layout made by :func:`init_project`::

    label_config/   ontology.yaml, actors.yaml, GUIDELINES.md, actors_events.xml (to edit)
    samples/        articles/ (five seed articles), gold/v1 (a sample gold version, PLOVER only)
    exports/        snapshots, gold versions and training data go here
    .gitignore      keeps .eventgold/ (credentials, server data) out of git
    README.md       the next commands

Every verb run inside the folder (or below it) finds ``label_config/`` there
(:func:`eventgold.config.find_config_dir`). Nothing that exists is overwritten,
so running it twice changes nothing.

The ontology is the packaged default (``plover``) or one of the examples
shipped in ``label_config/examples/<name>/`` (``ace2005``): every file of the
example is copied into ``label_config/``, with an empty actor dictionary when
the example has none (:func:`eventgold.resources.ontology_names`).
"""

from __future__ import annotations

import shutil
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from eventgold.actors.dictionary import ACTORS_FILE
from eventgold.config import CONFIG_DIR_NAME, ONTOLOGY_FILE, WORKSPACE_NAME, find_project_config
from eventgold.errors import EventgoldWarning, UserError
from eventgold.fileio import atomic_write_text
from eventgold.resources import DEFAULT_ONTOLOGY, ontology_names, ontology_source, packaged_samples

CONFIG_FILES = ("ontology.yaml", "actors.yaml", "GUIDELINES.md", "actors_events.xml")
SAMPLE_GOLD_DIR = "gold"
"""The packaged samples' folder of gold versions (annotated in the default ontology)."""
GITIGNORE_LINE = f"{WORKSPACE_NAME}/"
EMPTY_ACTOR_DICTIONARY = """\
# eventgold actor dictionary: the canonical identities of actors (none yet).
#
# Each entry maps a canonical id to its name, spelling variants and type (one of the
# ontology's actor types), e.g.
#
#   reuters:
#     name: Reuters
#     aliases: [Reuters news agency]
#     type: ORG
#
# It feeds the `gazetteer` extractor and the actor candidates of every task pushed to
# Label Studio; `eventgold actors pending --add` appends the ids annotators typed that are
# missing here. An empty file is a valid, empty dictionary.
"""


@dataclass
class InitResult:
    """What :func:`init_project` did, as paths relative to ``folder``."""

    folder: Path
    written: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    ontology: str = DEFAULT_ONTOLOGY

    def as_dict(self) -> dict[str, object]:
        """The result for ``--json``."""
        return {
            "folder": str(self.folder),
            "ontology": self.ontology,
            "written": self.written,
            "kept": self.kept,
            "updated": self.updated,
        }


def project_readme(name: str, ontology: str = DEFAULT_ONTOLOGY) -> str:
    """The README.md of a new project folder: what each part is for and the next commands.

    ``ontology`` is the name given to ``eventgold init --ontology``; the sample gold (and the
    command scoring against it) is only there for the default ontology it was annotated in.
    """
    plover = ontology == DEFAULT_ONTOLOGY
    which = "" if plover else f"the `{ontology}` example; "
    samples = (
        "five seed articles and a sample gold version, to try the commands on"
        if plover
        else f"five seed articles, to try the commands on (the sample gold is PLOVER's, not {ontology}'s)"
    )
    score = "eventgold score --gold samples/gold/v1 --pred exports/predictions/rules.jsonl\n" if plover else ""
    extractor = "rules" if plover else "gazetteer"
    extract_note = "" if plover else "  # the rules baseline's lexicon is PLOVER's: pass --lexicon for yours"
    return f"""# {name}: an eventgold project

| folder | what it holds |
|---|---|
| `label_config/` | what can be annotated: `ontology.yaml` ({which}after editing it, run `eventgold config \
render`), the actor dictionary `actors.yaml`, the annotation guidelines `GUIDELINES.md`, the rendered Label Studio \
config |
| `samples/` | {samples} |
| `exports/` | corpora, predictions, snapshots pulled from Label Studio, gold versions, training data |
| `.eventgold/` | the local Label Studio's data and its credentials (kept out of git) |

Next commands, run in this folder:

```bash
eventgold config validate                      # the ontology, actors.yaml and the labeling config agree
eventgold up                                   # a local Label Studio with the samples, pre-annotated
eventgold ingest samples/articles -o exports/corpus.jsonl
eventgold extract exports/corpus.jsonl -e {extractor} -o exports/predictions/{extractor}.jsonl{extract_note}
{score}eventgold push exports/corpus.jsonl --predictions exports/predictions/{extractor}.jsonl --project news
eventgold pull --project news                  # after annotating: a snapshot in exports/raw/
eventgold gold build exports/raw/*.json -o exports/gold/v1
eventgold train exports/gold/v1 -o models/v1   # a model from the gold (the `spacy` extra); then -e model:models/v1
eventgold suggest exports/corpus.jsonl --model models/v1 --exclude-ids exports/gold/v1 -n 50 -o exports/next.txt
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


def _write(target: Path, text: str, rel: str, result: InitResult) -> None:
    if target.exists():
        result.kept.append(rel)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(target, text)
    result.written.append(rel)


def _ontology_name(path: Path) -> object:
    """The ``name`` an ontology file gives itself (None when it cannot be read); just enough to tell two apart."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    return raw.get("name") if isinstance(raw, dict) else None


def _known_as(path: Path, chosen: str) -> str:
    """Which packaged ontology the project's file is (by its ``name``): ``chosen`` when it is that one."""
    own = _ontology_name(path)
    if own is None:
        return chosen
    for known in [chosen, *ontology_names()]:
        if _ontology_name(ontology_source(known) / ONTOLOGY_FILE) == own:
            return known
    return str(own)


def _warn_if_other_ontology(existing: Path, chosen: Path, name: str) -> None:
    """Warn when ``--ontology`` names one ontology but the folder already holds another (which is kept)."""
    try:
        same = existing.read_bytes() == chosen.read_bytes()
    except OSError:
        return
    if not same:
        warnings.warn(
            EventgoldWarning(
                f"{existing} is kept (init never overwrites), and it is not the {name} ontology; "
                f"to start over with {name}, move that label_config/ away and run `eventgold init` again"
            ),
            stacklevel=3,
        )


def _copy_tree(source: Path, target: Path, rel: str, result: InitResult, *, skip: tuple[str, ...] = ()) -> None:
    """Copy every file under ``source`` but those in a top-level folder named in ``skip``."""
    for item in sorted(source.rglob("*")):
        sub = item.relative_to(source)
        if item.is_file() and "__pycache__" not in item.parts and sub.parts[0] not in skip:
            _copy(item, target / sub, f"{rel}/{sub.as_posix()}", result)


def init_project(folder: Path, *, samples: bool = True, ontology: str | None = None) -> InitResult:
    """Make (or complete) a project folder at ``folder``; never overwrite a file.

    Args:
        folder: the project folder, created when missing.
        samples: also copy the packaged ``samples/``: the articles, and the sample gold
            when the project's ontology is the one it was annotated in (the default's
            ``name``, PLOVER).
        ontology: which ontology ``label_config/`` starts from (:func:`ontology_names`;
            None: the default, ``plover``). An example's files are all copied (an
            empty ``actors.yaml`` is written when it has none). When the folder
            already holds another ``ontology.yaml``, it is kept with a warning.

    Returns:
        An :class:`InitResult` listing written, kept (already there) and updated
        (``.gitignore`` given the workspace line) paths.

    Raises:
        UserError: an unknown ontology name, or ``folder`` exists and is not a
            folder, or cannot be written.
    """
    target = folder / CONFIG_DIR_NAME
    if ontology is None:  # the project's own ontology when it has one (init run again), else the default
        known = _known_as(target / ONTOLOGY_FILE, DEFAULT_ONTOLOGY)
        name = known if known in ontology_names() else DEFAULT_ONTOLOGY
    else:
        name = ontology
    source = ontology_source(name)  # raises UserError naming the ontologies there are
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
    result = InitResult(folder=folder, ontology=name)
    if ontology is not None:
        _warn_if_other_ontology(target / ONTOLOGY_FILE, source / ONTOLOGY_FILE, name)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if name == DEFAULT_ONTOLOGY:
            files = [source / file for file in CONFIG_FILES]
        else:
            files = sorted(p for p in source.iterdir() if p.is_file())
        for file in files:
            _copy(file, target / file.name, f"{CONFIG_DIR_NAME}/{file.name}", result)
        if not (source / ACTORS_FILE).is_file():
            _write(target / ACTORS_FILE, EMPTY_ACTOR_DICTIONARY, f"{CONFIG_DIR_NAME}/{ACTORS_FILE}", result)
        result.ontology = _known_as(target / ONTOLOGY_FILE, name)
        if samples:
            fits = _ontology_name(target / ONTOLOGY_FILE) == _ontology_name(
                ontology_source(DEFAULT_ONTOLOGY) / ONTOLOGY_FILE
            )
            skip = () if fits else (SAMPLE_GOLD_DIR,)
            _copy_tree(packaged_samples(), folder / "samples", "samples", result, skip=skip)
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
            atomic_write_text(readme, project_readme(folder.resolve().name, name))
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
