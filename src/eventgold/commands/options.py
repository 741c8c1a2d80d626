"""Typer option types shared by the command modules (defined once, imported where used)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

JsonOut = Annotated[str | None, typer.Option("--json", help="Write machine output here ('-' for stdout).")]
"""``--json PATH``: where a verb writes its machine output (``-``: stdout)."""

OntologyOpt = Annotated[
    Path | None,
    typer.Option("--ontology", help="Ontology file (default: label_config/ontology.yaml)."),
]
"""``--ontology FILE``: the ontology (default: the project's ``label_config/ontology.yaml``)."""

ActorsOpt = Annotated[
    Path | None,
    typer.Option("--actors", help="Actor dictionary (default: label_config/actors.yaml)."),
]
"""``--actors FILE``: the actor dictionary (default: the project's ``label_config/actors.yaml``)."""

Url = Annotated[str | None, typer.Option("--url", help="Label Studio URL (else LABEL_STUDIO_URL, .env, local server).")]
"""``--url``: the Label Studio URL (else ``LABEL_STUDIO_URL``, ``.env``, the local server)."""

ApiKey = Annotated[
    str | None,
    typer.Option(
        "--api-key",
        help="API key: legacy token or personal access token (else LABEL_STUDIO_API_KEY).",
        show_default=False,
    ),
]
"""``--api-key``: the Label Studio API key (else ``LABEL_STUDIO_API_KEY``)."""

FLAGS: dict[str, str] = {
    "url": "--url",
    "api_key": "--api-key",
    "port": "--port",
    "review_title": "--project title",
    "splits": "--split",
    "splits_example": "--split train,dev",
    "out_dir": "-o",
    "actors": "--actors",
    "format": "--format",
    "doc_key": "--doc-key",
    "lexicon_file": "--lexicon FILE",
    "replace_unannotated": "--replace-unannotated",
    "project": "--project",
    "articles": "--articles",
    "allow_problems": "--allow-problems",
    "skip_bad": "--skip-bad",
    "max_size": "--max-size",
    "quoting_none": "--quoting none",
    "quoting_csv": "--quoting csv",
    "delimiter": "--delimiter",
    "rules": "--rules",
    "near_dup_threshold": "--near-dup-threshold",
    **{f"{name}_col": f"--{name}-col" for name in ("text", "title", "id", "url", "date", "source", "language")},
    "as_predictions": "--as-predictions",
    "format_labelstudio": "--format labelstudio",
    "train_split": "--train-split",
    "dev_split": "--dev-split",
    "curve": "--curve",
}
"""How the CLI names each option a library message names (option name -> flag text): the CLI's
counterpart of :data:`eventgold.errors.API_SPELLING`, with the same keys."""
