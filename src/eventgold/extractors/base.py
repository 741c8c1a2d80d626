"""The Extractor protocol and the registry that finds extractors by name.

An extractor has a ``name``, a ``version`` and ``extract(articles)``, which takes
an iterable of Articles (consumed lazily, so it may batch internally) and yields
one DocumentAnnotation per article with origin kind ``extractor``.

Names resolve in this order:

1. a built-in: ``gazetteer``, ``rules``;
2. ``spacy:<pipeline>``: an installed spaCy pipeline (the ``spacy`` extra);
   ``model:<folder>``: a model trained by ``eventgold train`` (:mod:`eventgold.training.model`);
3. an entry point of the group ``eventgold.extractors`` (third-party packages
   declare ``[project.entry-points."eventgold.extractors"] myname = "pkg.mod:factory"``);
4. ``package.module:callable``: imported directly.

What a name points at may be an extractor instance, a class, or a factory
function returning an extractor; classes and factories are called with the
keyword options that apply (``actors``, ``lexicon``, ``ontology``: those they
accept). The ontology gives the built-ins their roles (coder mapping) and the
spaCy extractor its label map (``ner_labels``).
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from eventgold.errors import ConfigError, RecordError
from eventgold.models import Article, DocumentAnnotation, check_annotation
from eventgold.ontology import Ontology

ENTRY_POINT_GROUP = "eventgold.extractors"


@runtime_checkable
class Extractor(Protocol):
    """What eventgold needs of an extractor: a name, a version, and ``extract``."""

    name: str
    version: str

    def extract(self, articles: Iterable[Article]) -> Iterable[DocumentAnnotation]:
        """Yield one DocumentAnnotation per article (origin kind ``extractor``)."""
        ...


@dataclass(frozen=True)
class ExtractorInfo:
    """One extractor that can be named on the command line."""

    name: str
    kind: str
    """``builtin``, ``spacy``, ``model`` or ``entry-point``."""
    target: str
    description: str


def _gazetteer(**options: Any) -> Extractor:
    from eventgold.extractors.gazetteer import GazetteerExtractor

    return GazetteerExtractor(actors=options.get("actors"))


def _rules(**options: Any) -> Extractor:
    from eventgold.extractors.rules import RulesExtractor

    return RulesExtractor(
        actors=options.get("actors"), lexicon=options.get("lexicon"), ontology=options.get("ontology")
    )


BUILTINS: dict[str, tuple[Callable[..., Extractor], str]] = {
    "gazetteer": (
        _gazetteer,
        "BASELINE: actor mentions from label_config/actors.yaml (dictionary lookup, no events)",
    ),
    "rules": (
        _rules,
        "BASELINE: PLOVER events from a trigger lexicon; actor/recipient by sentence "
        "heuristics over the gazetteer's mentions",
    ),
}


def available_extractors() -> list[ExtractorInfo]:
    """The built-ins, the spaCy family, and every ``eventgold.extractors`` entry point."""
    out = [
        ExtractorInfo(name=name, kind="builtin", target=f"{fn.__module__}:{fn.__name__}", description=desc)
        for name, (fn, desc) in BUILTINS.items()
    ]
    out.append(
        ExtractorInfo(
            name="spacy:<pipeline>",
            kind="spacy",
            target="eventgold.extractors.spacy_ner:SpacyExtractor",
            description=(
                "actor mentions from an installed spaCy pipeline (e.g. spacy:en_core_web_sm); needs the `spacy` extra"
            ),
        )
    )
    out.append(
        ExtractorInfo(
            name="model:<folder>",
            kind="model",
            target="eventgold.training.model:TrainedModel",
            description="a model folder trained from a gold version: eventgold train exports/gold/v1 -o models/v1, "
            "then -e model:models/v1 (needs the `spacy` extra)",
        )
    )
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        out.append(
            ExtractorInfo(
                name=ep.name,
                kind="entry-point",
                target=ep.value,
                description=f"from package {ep.dist.name if ep.dist else '?'}",
            )
        )
    return out


def _import_target(target: str) -> Any:
    module_name, _, attr = target.partition(":")
    if not module_name or not attr:
        raise ConfigError(f"{target!r}: expected package.module:callable")
    try:
        obj: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError(f"extractor {target!r}: cannot import {module_name!r}: {exc}") from exc
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError as exc:
            raise ConfigError(f"extractor {target!r}: module {module_name!r} has no attribute {attr!r}") from exc
    return obj


def _instantiate(obj: Any, label: str, options: dict[str, Any]) -> Extractor:
    if inspect.isclass(obj) or (callable(obj) and not hasattr(obj, "extract")):
        try:
            params = inspect.signature(obj).parameters
        except (TypeError, ValueError):  # pragma: no cover - builtins without signatures
            params = {}  # type: ignore[assignment]
        takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
        kwargs = {k: v for k, v in options.items() if v is not None and (takes_any or k in params)}
        try:
            obj = obj(**kwargs)
        except Exception as exc:
            if isinstance(exc, ConfigError):
                raise
            raise ConfigError(f"extractor {label!r} failed to start: {exc}") from exc
    if not isinstance(obj, Extractor):
        raise ConfigError(
            f"extractor {label!r} is not an extractor: it needs `name`, `version` and `extract(articles)`"
        )
    return obj


def load_extractor(
    name: str,
    *,
    actors: str | Path | None = None,
    lexicon: str | Path | None = None,
    ontology: Ontology | None = None,
) -> Extractor:
    """The extractor called ``name`` (built-in, ``spacy:NAME``, entry point or ``pkg.mod:obj``).

    ``ontology`` (default: label_config/ontology.yaml) is passed to extractors
    that take one. Raises ConfigError naming what is available when ``name``
    resolves to nothing.
    """
    options: dict[str, Any] = {"actors": actors, "lexicon": lexicon, "ontology": ontology}
    if name in BUILTINS:
        return BUILTINS[name][0](**options)
    if name.startswith("spacy:"):
        from eventgold.extractors.spacy_ner import SpacyExtractor

        return SpacyExtractor(name.removeprefix("spacy:"), ontology=ontology)
    if name.startswith("model:"):
        from eventgold.training.model import TrainedModel

        folder = name.removeprefix("model:")
        if not folder:
            raise ConfigError("model extractor: name the model folder, e.g. model:models/v1")
        return TrainedModel.load(folder, ontology=ontology)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == name:
            try:
                obj = ep.load()
            except Exception as exc:
                raise ConfigError(f"extractor {name!r}: entry point {ep.value!r} failed to load: {exc}") from exc
            return _instantiate(obj, name, options)
    if ":" in name:
        return _instantiate(_import_target(name), name, options)
    known = ", ".join(info.name for info in available_extractors())
    raise ConfigError(f"unknown extractor {name!r}; available: {known}, or package.module:callable")


def run_extractor(
    extractor: Extractor, articles: Iterable[Article], ontology: Ontology | None = None
) -> Iterator[DocumentAnnotation]:
    """Run ``extractor`` and check every output against its article and the ontology.

    Outputs must come in article order, one per article, with origin kind
    ``extractor``; a broken output raises RecordError naming the extractor and
    document instead of being written.

    Args:
        extractor: anything with ``name`` and ``extract(articles)`` (see :class:`Extractor`).
        articles: the articles, read lazily as the extractor asks for them.
        ontology: checks labels, roles, modes and contexts, and offsets against each article's
            text; None checks the offsets only.

    Returns:
        An iterator of one DocumentAnnotation per article, in article order; mention and
        trigger offsets are character offsets (code points) into the article text.

    Raises:
        RecordError: an output that is not a DocumentAnnotation, more outputs than articles, one
            whose origin kind is not ``extractor``, or one that does not fit its article or the
            ontology (naming the extractor and document).

    Example:
        >>> from eventgold.extractors.rules import RulesExtractor
        >>> from eventgold.models import Article
        >>> from eventgold.ontology import load_ontology
        >>> article = Article(id="a1", text="Iraqi forces attacked rebels in Baghdad on Monday.")
        >>> (annotation,) = run_extractor(RulesExtractor(), [article], load_ontology())
        >>> [(m.text, m.type) for m in annotation.mentions]
        [('Iraqi forces', 'ARMED_GROUP'), ('Baghdad', 'LOCATION')]
        >>> [e.type for e in annotation.events]
        ['ASSAULT']
    """
    pending: list[Article] = []

    def feed() -> Iterator[Article]:
        for article in articles:
            pending.append(article)
            yield article

    label = getattr(extractor, "name", "?")
    for annotation in extractor.extract(feed()):
        if not isinstance(annotation, DocumentAnnotation):
            raise RecordError(f"extractor {label!r} yielded a {type(annotation).__name__}, not a DocumentAnnotation")
        if not pending:
            raise RecordError(
                f"extractor {label!r} yielded more annotations than it was given articles",
                doc_id=annotation.doc_id,
            )
        article = pending.pop(0)
        if annotation.origin.kind != "extractor":
            raise RecordError(
                f"extractor {label!r}: origin kind must be 'extractor'",
                doc_id=annotation.doc_id,
                field="origin.kind",
                value=annotation.origin.kind,
            )
        try:
            if ontology is not None:
                check_annotation(annotation, ontology, article)
            else:
                from eventgold.models import check_against_article

                check_against_article(annotation, article)
        except RecordError as exc:
            raise RecordError(
                f"extractor {label!r} produced an invalid annotation: {exc.problem}",
                doc_id=exc.doc_id,
                record_id=exc.record_id,
                field=exc.field,
                value=exc.value,
            ) from exc
        yield annotation
