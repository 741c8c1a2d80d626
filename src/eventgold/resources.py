"""Files shipped inside the package, read with :mod:`importlib.resources`.

``eventgold/data/`` holds the default project configuration (``label_config/``:
the PLOVER ontology, the actor dictionary, the annotation guidelines and the
rendered labeling config) and the samples (``samples/articles``: five seed
articles; ``samples/gold/v1``: a sample gold version built through Label Studio).
Nothing here looks for a source checkout: an installed wheel carries the same files.

Example::

    >>> from eventgold.resources import packaged_label_config
    >>> (packaged_label_config() / "ontology.yaml").is_file()
    True
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from eventgold.config import CONFIG_DIR_NAME
from eventgold.errors import UserError

SAMPLES_DIR = "samples"


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
