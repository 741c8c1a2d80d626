"""Imports of the libraries ingest needs, with one line saying what to install when one is missing.

An older pip does not install ``lxml_html_clean`` through ``lxml[html_clean]``, and a slimmed
environment may lack a part of trafilatura's stack (``justext``, ``htmldate``, ``courlan``) or
``charset-normalizer``: the resulting ImportError becomes a :class:`~eventgold.errors.ConfigError`
(exit 2) naming the package to install, never a traceback.
"""

from __future__ import annotations

import importlib
import re
from types import ModuleType

from eventgold.errors import ConfigError, Message, message_parts

# import name -> the name pip installs it by
PIP_NAMES: dict[str, str] = {
    "lxml_html_clean": "lxml_html_clean",
    "lxml": "lxml",
    "trafilatura": "trafilatura",
    "justext": "jusText",
    "htmldate": "htmldate",
    "courlan": "courlan",
    "charset_normalizer": "charset-normalizer",
    "datasketch": "datasketch",
    "dateutil": "python-dateutil",
    "yaml": "pyyaml",
}
# what HTML ingest imports, in order: lxml_html_clean first, because trafilatura's import of
# justext fails on it with a message that does not name a module
HTML_MODULES = ("lxml_html_clean", "trafilatura")


def missing_package(exc: ImportError, wanted: str) -> str:
    """The pip name of the package whose absence caused ``exc`` (raised importing ``wanted``)."""
    name = exc.name or ""
    message = str(exc)
    if "lxml_html_clean" in message or name.startswith("lxml_html_clean") or name == "lxml.html.clean":
        return "lxml_html_clean"
    top = name.split(".")[0] if name else wanted.split(".")[0]
    return PIP_NAMES.get(top, top.replace("_", "-"))


def dependency_error(exc: ImportError, wanted: str, purpose: Message) -> ConfigError:
    """One line saying which package ``purpose`` (text, or text and Option parts) needs and how to install it."""
    package = missing_package(exc, wanted)
    detail = re.sub(r"\s+", " ", str(exc)).strip()
    return ConfigError(
        *message_parts(purpose),
        f" needs the Python package {package}, which cannot be imported ({detail}); "
        f"install it with `pip install {package}` in eventgold's environment (or reinstall eventgold)",
    )


def require(module: str, purpose: Message) -> ModuleType:
    """Import ``module``; a missing package is a ConfigError naming what to install."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise dependency_error(exc, module, purpose) from exc


def require_html() -> ModuleType:
    """trafilatura, after checking the packages it needs (see :data:`HTML_MODULES`)."""
    module: ModuleType | None = None
    for name in HTML_MODULES:
        module = require(name, "reading .html files")
    assert module is not None
    return module
