"""The ingest pipeline: files -> raw records -> clean Articles -> de-duplicated corpus.

Per record (:class:`Builder`, no shared state): whitespace normalisation, furniture removal
(``cleaning``), header and lead metadata (``metadata``), id (``ids``) and the MinHash
signature for near-duplicate detection. Then, in input order (:class:`Ingestor`): the
duplicate check (``dedupe``), the summary, the output.

Whole-file inputs (``.txt``, ``.html``) are built by a pool of forked worker processes
(``workers``, default: two on a machine with two cores or more; only after the first 64 such
files, and only while the process has a single thread, else in-process) in batches, at most a
few batches ahead of the writer, and consumed in input order, so the output does not depend
on the number of workers. JSONL and CSV files are streamed in the main process. Memory per article is its
id, a text digest and its near-duplicate signature, never the articles.

Bad input raises :class:`~eventgold.ingest.errors.BadInput` at once, unless ``skip_bad``,
which records it in the summary and goes on. :func:`ingest_to_file` writes atomically, so a
failed run leaves an earlier output as it was.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path
from typing import Any

import numpy as np

from eventgold.errors import InputError, Option
from eventgold.fileio import atomic_open
from eventgold.ingest.cleaning import CleaningRules, clean_text, load_rules, normalize_whitespace
from eventgold.ingest.dedupe import Deduplicator, signature
from eventgold.ingest.errors import SKIP_BAD, BadInput
from eventgold.ingest.ids import article_id, id_problem
from eventgold.ingest.metadata import Header, detect_language, read_given_date, read_header
from eventgold.ingest.options import IngestOptions, make_options
from eventgold.ingest.readers import (
    Discovery,
    RawRecord,
    SourceFile,
    discover,
    read_source,
)
from eventgold.ingest.summary import DuplicateRecord, IngestSummary, SkippedInput
from eventgold.models import Article, sha256_text

Progress = Callable[[int], None]
# the pool starts after this many whole-file inputs (small runs never pay its start-up)
POOL_AFTER = 64
BATCH = 32
AHEAD = 4  # batches in flight per worker


@dataclass
class Built:
    """One article built from a record, with what the ordered stage needs."""

    article: Article
    path: str
    line: int | None
    row: int | None
    size: int
    signature: np.ndarray | None = None

    @property
    def where(self) -> str:
        """``file``, ``file:line`` or ``file, row N``."""
        return BadInput(self.path, "", line=self.line, row=self.row).where


@dataclass
class FileFailed:
    """A whole file could not be read (after any records it did yield)."""

    error: BadInput


Item = Built | BadInput | FileFailed


class Builder:
    """The per-record work: read, normalise, clean, read metadata, id, signature. No shared state."""

    def __init__(
        self,
        options: IngestOptions,
        rules: CleaningRules | None = None,
        permutations: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        """``permutations`` (from :attr:`Deduplicator.permutations`) turn signatures on."""
        self.options = options
        self.rules = rules or load_rules(options.rules)
        self.permutations = permutations

    def items(self, source: SourceFile) -> Iterator[Item]:
        """The built articles and bad records of one file, then FileFailed if the file broke off."""
        try:
            for record in read_source(source, self.options.columns, self.options.max_bytes, self.options.csv):
                if isinstance(record, BadInput):
                    yield record
                    continue
                try:
                    article = self.build(record)
                except BadInput as exc:
                    yield exc
                    continue
                sig = signature(article.text, *self.permutations) if self.permutations else None
                yield Built(article, source.display, record.line, record.row, record.size, sig)
        except BadInput as exc:
            yield FileFailed(exc)

    def build(self, record: RawRecord) -> Article:
        """Turn one raw record into an Article (not yet checked for duplicates)."""
        given = record.given
        html = record.html
        text = normalize_whitespace(record.text)
        if not text:
            raise record.bad("empty article (no text, or only whitespace)", ("remove it, or pass ", SKIP_BAD))
        cleaned = clean_text(text, self.rules)
        known_title = _one_line(given.get("title")) or _one_line(html.get("title"))
        header = read_header(cleaned.text, self.rules, known_title=known_title)
        text = header.text
        if not text:
            raise record.bad(
                f"nothing left after removing site furniture ({cleaned.removed_lines} line(s) removed)",
                ("check the rules (", Option("rules"), "), or pass ", SKIP_BAD),
            )
        published, published_raw = header.published, header.published_raw
        if given.get("date"):
            # a column wins; a partial date ("2020-11", "Sunday") is no date: kept raw, never completed
            reading = read_given_date(given["date"] or "")
            if reading.date is None and not reading.partial:
                raise record.bad(
                    f"cannot read the date {given['date']!r}",
                    ("fix the value, map another column with ", Option("date_col"), ", or pass ", SKIP_BAD),
                )
            published_raw = given["date"] if reading.date is None else _same_raw(reading.date, header)
            published = reading.date
        elif html.get("date"):
            # the page's metadata, else a date stated in the text; an unused value is kept raw
            reading = read_given_date(html["date"] or "")
            if reading.date is not None:
                published, published_raw = reading.date, _same_raw(reading.date, header)
            elif published is None:
                published_raw = html["date"]
        source = given.get("source") or cleaned.source or header.source or header.agency or html.get("sitename")
        language = (given.get("language") or html.get("language") or detect_language(text) or None)
        url = given.get("url") or html.get("url")
        ident, basis = article_id(
            given=given.get("id"),
            url=url,
            relative=record.source.relative,
            row=record.line if record.line is not None else record.row,
            text=text,
        )
        problem = id_problem(ident)
        if problem:
            origin = "given id" if basis == "given" else f"id (from the {basis})"
            raise record.bad(
                f"the {origin} {ident!r} {problem}: an id must fit on one line",
                ("fix the id (or the file name it comes from), or pass ", SKIP_BAD),
            )
        meta: dict[str, Any] = dict(record.meta)
        meta["path"] = record.source.relative
        if record.line is not None:
            meta["line"] = record.line
        if record.row is not None:
            meta["row"] = record.row
        meta["format"] = record.source.fmt
        meta["encoding"] = record.encoding
        meta["id_from"] = basis
        for key, value in (
            ("category", header.category),
            ("dateline", header.dateline),
            ("published_raw", published_raw),
        ):
            if value:
                meta[key] = value
        if record.extra:
            meta["fields"] = record.extra
        if self.options.keep_raw:
            meta["raw_text"] = record.text
        content_sha = sha256_text(text)
        return Article(
            id=ident,
            title=known_title or header.title,
            text=text,
            source=source,
            url=url,
            published=published,
            language=language.lower() if language else None,
            content_sha=content_sha,
            meta=meta,
        )


_WORKER: Builder | None = None


def _start_worker(options: str, permutations: tuple[np.ndarray, np.ndarray] | None) -> None:
    global _WORKER
    _WORKER = Builder(IngestOptions.model_validate_json(options), permutations=permutations)


def _build_batch(sources: list[SourceFile]) -> list[list[Item]]:
    assert _WORKER is not None
    return [list(_WORKER.items(source)) for source in sources]


class Ingestor:
    """One ingest run: the rules, the duplicate index, the summary; consumes items in input order."""

    def __init__(self, options: IngestOptions | None = None) -> None:
        """Load the cleaning rules (built-in + ``options.rules``) and set up the duplicate index."""
        self.options = options or IngestOptions()
        self.rules: CleaningRules = load_rules(self.options.rules)
        self.dedupe = Deduplicator(self.options.near_dup_threshold)
        self.builder = Builder(self.options, self.rules, self.dedupe.permutations)
        self.summary = IngestSummary()
        # output line index -> ids merged into that article (exact duplicates)
        self.merged: dict[int, list[str]] = {}
        self.pooled = False  # whether a worker pool was used

    def build(self, record: RawRecord) -> Article:
        """Turn one raw record into an Article (not yet checked for duplicates)."""
        return self.builder.build(record)

    def discover(self, paths: Sequence[Path], outputs: Sequence[Path | str | None] = ()) -> Discovery:
        """The input files under ``paths`` (see :class:`readers.Discovery`), found lazily.

        An existing file of ``outputs`` that would be read is a ConfigError, before any reading.
        """
        return discover(paths, outputs=outputs)

    def _bad(self, exc: BadInput) -> None:
        if not self.options.skip_bad:
            raise exc
        where = {"path": exc.path, "line": exc.line, "row": exc.row}
        self.summary.skipped.append(SkippedInput(**where, reason=exc.reason, reason_parts=exc.reason_parts))

    def run(self, found: Discovery, progress: Progress | None = None) -> Iterator[Article]:
        """Yield the Articles of ``found`` in input order (exact duplicates merged away).

        Raises InputError when the paths hold no input file at all.
        """
        if self.options.worker_count > 1:
            yield from self._run_pooled(found.items(), progress)
        else:
            for source in found.items():
                if isinstance(source, BadInput):
                    self._bad(source)
                else:
                    yield from self._consume(source, self.builder.items(source), progress)
        self.summary.files_ignored = found.ignored
        if not found.found and not self.summary.skipped:
            shown = ", ".join(str(p) for p in found.paths)
            ignored = f" ({found.ignored} other file(s) ignored)" if found.ignored else ""
            raise InputError(f"{shown}: no .txt, .html, .jsonl or .csv files found{ignored}; check the path")

    def _run_pooled(self, sources: Iterable[SourceFile | BadInput], progress: Progress | None) -> Iterator[Article]:
        workers = self.options.worker_count
        pool: Pool | None = None
        pooling = True
        pending: deque[tuple[list[SourceFile], AsyncResult[list[list[Item]]]]] = deque()
        batch: list[SourceFile] = []
        seen = 0

        def drain(limit: int) -> Iterator[Article]:
            while len(pending) > limit:
                done, result = pending.popleft()
                for source, items in zip(done, result.get(), strict=True):
                    yield from self._consume(source, iter(items), progress)

        try:
            for source in sources:
                whole_file = not isinstance(source, BadInput) and source.fmt in ("txt", "html")
                if pooling and pool is None and whole_file and seen >= POOL_AFTER:
                    pool = self._start_pool(workers)
                    pooling = self.pooled = pool is not None
                if whole_file and pool is not None:
                    assert isinstance(source, SourceFile)
                    batch.append(source)
                    if len(batch) == BATCH:
                        pending.append((batch, pool.apply_async(_build_batch, (batch,))))
                        batch = []
                        yield from drain(AHEAD * workers)
                    continue
                # in order: everything already handed to the pool comes first
                if batch and pool is not None:
                    pending.append((batch, pool.apply_async(_build_batch, (batch,))))
                    batch = []
                yield from drain(0)
                if isinstance(source, BadInput):
                    self._bad(source)
                    continue
                seen += whole_file
                yield from self._consume(source, self.builder.items(source), progress)
            if batch and pool is not None:
                pending.append((batch, pool.apply_async(_build_batch, (batch,))))
            yield from drain(0)
        finally:
            if pool is not None:
                pool.terminate()
                pool.join()

    def _start_pool(self, workers: int) -> Pool | None:
        """A pool of forked workers, or None (work in-process) where forking is not safe.

        ``fork`` needs no re-import of the caller's ``__main__`` (so scripts without a main
        guard work) but copies only the calling thread: it is used only while this process has
        a single thread, and never on platforms without it.
        """
        if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
            return None
        return multiprocessing.get_context("fork").Pool(
            workers,
            initializer=_start_worker,
            initargs=(self.options.model_dump_json(), self.dedupe.permutations),
        )

    def _consume(self, source: SourceFile, items: Iterator[Item], progress: Progress | None) -> Iterator[Article]:
        """Duplicate check, summary and progress for one file's items, in order."""
        advanced = 0
        ok = True
        for item in items:
            if isinstance(item, FileFailed):
                ok = False
                self._bad(item.error)
                continue
            if isinstance(item, BadInput):
                self._bad(item)
                continue
            if progress is not None and item.size:
                progress(item.size)
                advanced += item.size
            self.summary.records_read += 1
            try:
                kept = self._dedupe(item)
            except BadInput as exc:
                self._bad(exc)
                continue
            if kept is not None:
                self.summary.articles_written += 1
                yield kept
        if ok:
            self.summary.files_read += 1
            self.summary.by_format[source.fmt] = self.summary.by_format.get(source.fmt, 0) + 1
        if progress is not None and source.size > advanced:
            progress(source.size - advanced)

    def _dedupe(self, built: Built) -> Article | None:
        article = built.article
        verdict = self.dedupe.check(article.id, article.content_sha, article.text, built.signature)
        if verdict.kind == "clash":
            raise BadInput(
                built.path,
                line=built.line,
                row=built.row,
                reason=f"id {article.id!r} is already used by an earlier article with a different text",
                hint=("give every article its own id (", Option("id_col"), "), remove one of them, or pass ", SKIP_BAD),
            )
        if verdict.kind == "exact":
            assert verdict.of is not None and verdict.index is not None
            self.summary.exact_duplicates += 1
            self.summary.duplicates.append(
                DuplicateRecord(id=article.id, duplicate_of=verdict.of, kind="exact", path=built.where)
            )
            if article.id != verdict.of:
                merged = self.merged.setdefault(verdict.index, [])
                if article.id not in merged:
                    merged.append(article.id)
            return None
        if verdict.kind == "near":
            assert verdict.of is not None
            self.summary.near_duplicates += 1
            self.summary.duplicates.append(
                DuplicateRecord(
                    id=article.id, duplicate_of=verdict.of, kind="near", similarity=verdict.similarity, path=built.where
                )
            )
            meta = {**article.meta, "near_duplicate_similarity": verdict.similarity}
            return article.model_copy(update={"duplicate_of": verdict.of, "meta": meta})
        return article


def _same_raw(published: dt.date, header: Header) -> str | None:
    """The header's date string when it states the same date as a column or the page's metadata."""
    return header.published_raw if published == header.published else None


def _one_line(value: str | None) -> str | None:
    if not value:
        return None
    text = " ".join(value.split())
    return text or None


def ingest(
    paths: Sequence[Path],
    options: IngestOptions | None = None,
    *,
    progress: Progress | None = None,
    summary: IngestSummary | None = None,
    **kwargs: Any,
) -> Iterator[Article]:
    """Stream the clean, de-duplicated Articles of ``paths`` (files or folders).

    Options come as an :class:`IngestOptions` or as keywords (``skip_bad=True``...). Pass a
    ``summary`` to have it filled as the articles go by. Exact duplicates are left out; the
    ids merged into each kept article are listed in the summary's ``duplicates``.
    """
    opts = options or make_options(**kwargs)
    ingestor = Ingestor(opts)
    if summary is not None:
        ingestor.summary = summary
    found = ingestor.discover(paths)
    yield from ingestor.run(found, progress)


def ingest_to_file(
    paths: Sequence[Path],
    output: Path,
    options: IngestOptions | None = None,
    *,
    progress: Progress | None = None,
    on_start: Callable[[int], None] | None = None,
    also_outputs: Sequence[Path | str | None] = (),
    **kwargs: Any,
) -> IngestSummary:
    """Ingest ``paths`` into the JSONL corpus ``output`` (atomically) and return the summary.

    Exact duplicates are merged: the kept article lists the others' ids in
    ``meta["merged_from"]``. ``on_start`` receives the total input size in bytes before
    reading starts (for a progress bar); ``progress`` then receives the bytes done. An
    ``output`` (or one of ``also_outputs``, e.g. a summary path) that is an existing input
    file is a ConfigError, raised before anything is read or written.
    """
    opts = options or make_options(**kwargs)
    output = Path(output)
    ingestor = Ingestor(opts)
    found = ingestor.discover(paths, outputs=[output, *also_outputs])
    if on_start is not None:
        on_start(found.total_bytes())
    output.parent.mkdir(parents=True, exist_ok=True)
    with atomic_open(output, "w") as fh, tempfile.TemporaryFile("w+", dir=output.parent, encoding="utf-8") as spool:
        for article in ingestor.run(found, progress):
            spool.write(article.model_dump_json())
            spool.write("\n")
        spool.seek(0)
        for index, line in enumerate(spool):
            merged = ingestor.merged.get(index)
            if merged:
                article = Article.model_validate_json(line)
                meta = {**article.meta, "merged_from": merged}
                line = article.model_copy(update={"meta": meta}).model_dump_json() + "\n"
            fh.write(line)
    ingestor.summary.output = str(output)
    return ingestor.summary
