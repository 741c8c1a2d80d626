"""Files shipped inside the package, read with :mod:`importlib.resources`.

``eventgold/data/`` holds the default project configuration (``label_config/``:
the PLOVER ontology, the actor dictionary, the annotation guidelines and the
rendered labeling config; ``label_config/examples/<name>/``: other ontologies,
e.g. ``ace2005``) and the samples (``samples/articles``: five seed articles;
``samples/gold/v1``: a sample gold version built through Label Studio).
Nothing here looks for a source checkout: an installed wheel carries the same files.

Example::

    >>> from eventgold.resources import packaged_label_config
    >>> (packaged_label_config() / "ontology.yaml").is_file()
    True
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from eventgold.config import CONFIG_DIR_NAME, ONTOLOGY_FILE
from eventgold.errors import UserError

SAMPLES_DIR = "samples"
DEFAULT_ONTOLOGY = "plover"
"""The name of the packaged default ontology (``label_config/`` itself, not an example)."""
EXAMPLES_DIR = "examples"
"""The folder of ``label_config/`` holding the other ontologies, one folder each."""


def package_file(package: str, name: str) -> Path:
    """The file or folder ``name`` shipped in ``package`` (e.g. ``"eventgold.extractors"``), as a path.

    Raises UserError when the package is not installed as files (a zip import),
    where the file could not be opened by path.
    """
    found = resources.files(package).joinpath(name)
    if not isinstance(found, Path):
        raise UserError(
            f"eventgold's package data is not on the file system ({found}); install eventgold with pip "
            "into a virtual environment (not as a zip)"
        )
    return found


def data_dir() -> Path:
    """The package's ``data`` folder as a path on disk (raises UserError as :func:`package_file`)."""
    return package_file("eventgold", "data")


def packaged_label_config() -> Path:
    """The default ``label_config/`` folder shipped in the package (ontology.yaml, actors.yaml, …)."""
    return data_dir() / CONFIG_DIR_NAME


def packaged_samples() -> Path:
    """The packaged ``samples/`` folder: ``articles/`` (5 seed .txt files) and ``gold/v1``."""
    return data_dir() / SAMPLES_DIR


def ontology_names() -> list[str]:
    """The ontologies ``eventgold init --ontology`` knows: the default, then the packaged examples by name.

    An example is a folder of ``label_config/examples/`` holding an ``ontology.yaml``.
    """
    examples = packaged_label_config() / EXAMPLES_DIR
    found = sorted(p.name for p in examples.iterdir() if (p / ONTOLOGY_FILE).is_file()) if examples.is_dir() else []
    return [DEFAULT_ONTOLOGY, *(name for name in found if name != DEFAULT_ONTOLOGY)]


def ontology_source(name: str) -> Path:
    """The packaged folder of ontology ``name``: ``label_config/`` for the default, else its example folder.

    Raises:
        UserError: no ontology has that name (one line listing the names there are).
    """
    names = ontology_names()
    if name not in names:
        raise UserError(f"unknown ontology {name!r}; allowed: {', '.join(names)}")
    config = packaged_label_config()
    return config if name == DEFAULT_ONTOLOGY else config / EXAMPLES_DIR / name
