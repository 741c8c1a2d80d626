"""``eventgold extract``, ``extractors``, ``actors pending`` and ``suggest``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer
from rich.markup import escape
from rich.table import Table

from eventgold.commands.options import ActorsOpt, JsonOut, OntologyOpt
from eventgold.console import console, err_console, progress_bar, report_problems, split_list, track, write_json_output
from eventgold.errors import InputError

if TYPE_CHECKING:
    from eventgold.extractors.suggest import Suggestion
    from eventgold.readers import Format

actors_app = typer.Typer(help="The actor dictionary (label_config/actors.yaml).", no_args_is_help=True)


def _count_lines(path: Path) -> int | None:
    try:
        with path.open("rb") as fh:
            return sum(1 for line in fh if line.strip())
    except OSError:
        return None


def extract(
    corpus: Annotated[Path, typer.Argument(help="Corpus JSONL of Articles (from `eventgold ingest`).")],
    extractor: Annotated[
        str,
        typer.Option(
            "--extractor", "-e", help="gazetteer, rules, spacy:PIPELINE, an entry point, or pkg.mod:callable."
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Predictions JSONL (default: exports/predictions/NAME.jsonl in the project folder, "
            "else in the working directory).",
        ),
    ] = None,
    actors: ActorsOpt = None,
    lexicon: Annotated[Path | None, typer.Option("--lexicon", help="Trigger lexicon for `rules`.")] = None,
    ontology: OntologyOpt = None,
    json_out: JsonOut = None,
) -> None:
    """Run an extractor over a corpus and write its predictions as DocumentAnnotation JSONL.

    Every output is checked against its article and the ontology before it is
    written; the output file is replaced only when the whole run succeeded.

    Example: [bold]eventgold extract exports/corpus.jsonl -e rules -o exports/predictions/rules.jsonl[/bold]
    """
    from eventgold.config import find_project_config
    from eventgold.extractors.base import load_extractor, run_extractor
    from eventgold.fileio import refuse_inputs_as_outputs
    from eventgold.jsonl import write_jsonl
    from eventgold.ontology import load_ontology
    from eventgold.records_io import read_articles

    onto = load_ontology(ontology)
    ex = load_extractor(extractor, actors=actors, lexicon=lexicon, ontology=onto)
    safe_name = ex.name.replace(":", "_").replace("/", "_")
    project = find_project_config()  # label_config/ of the project: outputs go beside it
    root = project.parent if project is not None else Path()
    target = output or root / "exports" / "predictions" / f"{safe_name}.jsonl"
    refuse_inputs_as_outputs([target, json_out], [corpus])
    if corpus.is_dir():
        raise InputError(f"{corpus}: is a folder; give a corpus JSONL file (from `eventgold ingest`)")
    if not corpus.is_file():
        raise InputError(f"{corpus}: corpus file not found")
    counts = {"documents": 0, "mentions": 0, "events": 0}

    def counted() -> Any:
        for annotation in run_extractor(ex, track(read_articles(corpus), f"{ex.name}", _count_lines(corpus)), onto):
            counts["documents"] += 1
            counts["mentions"] += len(annotation.mentions)
            counts["events"] += len(annotation.events)
            yield annotation
        if not counts["documents"]:  # raised inside the atomic write: an earlier output stays
            raise InputError(f"{corpus}: holds no articles; make a corpus with `eventgold ingest`")

    write_jsonl(target, counted())
    summary = {"extractor": ex.name, "version": ex.version, "output": str(target), **counts}
    if json_out:
        write_json_output(summary, json_out)
    if json_out != "-":
        console.print(
            f"{ex.name} ({ex.version}): {counts['documents']} documents, {counts['mentions']} "
            f"mentions, {counts['events']} events -> {target}"
        )


def extractors(json_out: JsonOut = None) -> None:
    """List the extractors you can name with `eventgold extract --extractor`.

    Built-ins are baselines for pre-annotation; third-party extractors register
    through the `eventgold.extractors` entry-point group or are named as
    package.module:callable.

    Example: [bold]eventgold extractors --json -[/bold]
    """
    from eventgold.extractors.base import available_extractors

    infos = available_extractors()
    if json_out:
        write_json_output(
            {
                "extractors": [
                    {"name": i.name, "kind": i.kind, "target": i.target, "description": i.description} for i in infos
                ]
            },
            json_out,
        )
        if json_out == "-":
            return
    table = Table("name", "kind", "description")
    for info in infos:
        table.add_row(info.name, info.kind, info.description)
    console.print(table)
    console.print("Also: any [bold]package.module:callable[/bold] returning an extractor.")


@actors_app.command("pending")
def actors_pending(
    source: Annotated[
        Path,
        typer.Argument(help="Gold JSONL or folder, annotation JSONL, or a Label Studio snapshot (.json)."),
    ],
    actors: ActorsOpt = None,
    corpus: Annotated[Path | None, typer.Option("--corpus", help="Corpus JSONL, for example contexts.")] = None,
    add: Annotated[bool, typer.Option("--add", help="Append stubs for the missing ids to the dictionary.")] = False,
    examples: Annotated[int, typer.Option("--examples", min=0, help="Example contexts per id.")] = 3,
    ontology: OntologyOpt = None,
    json_out: JsonOut = None,
) -> None:
    """List canonical ids annotators used that the actor dictionary lacks.

    With --add, stub entries are appended to actors.yaml (its comments are
    kept) for a person to complete.

    Example: [bold]eventgold actors pending exports/gold/v1 --add[/bold]
    """
    from eventgold.actors.dictionary import load_actor_dictionary
    from eventgold.actors.upkeep import append_stubs, find_pending, read_annotated
    from eventgold.ontology import load_ontology
    from eventgold.problems import Problem
    from eventgold.records_io import load_corpus

    onto = load_ontology(ontology)
    dictionary = load_actor_dictionary(actors, onto)
    articles = load_corpus(corpus) if corpus else None
    problems: list[Problem] = []
    pending = find_pending(read_annotated(source, problems, onto), dictionary, articles=articles, max_examples=examples)
    report_problems(problems, source)
    added: list[str] = []
    if add and pending:
        assert dictionary.path is not None
        added = append_stubs(dictionary.path, pending, onto)
    payload = {
        "dictionary": str(dictionary.path),
        "pending": [
            {
                "canonical_id": p.canonical_id,
                "count": p.count,
                "documents": len(p.documents),
                "types": dict(p.types),
                "texts": dict(p.texts),
                "examples": p.examples,
            }
            for p in pending
        ],
        "added": added,
        "problems": [p.model_dump(mode="json") for p in problems],
    }
    if json_out:
        write_json_output(payload, json_out)
        if json_out == "-":
            return
    if not pending:
        console.print(f"every canonical id in {source} is in {dictionary.path}")
        return
    table = Table("canonical id", "uses", "docs", "types", "examples")
    for p in pending:
        table.add_row(p.canonical_id, str(p.count), str(len(p.documents)), ", ".join(p.types), "\n".join(p.examples))
    console.print(table)
    if added:
        console.print(f"appended {len(added)} stubs to {dictionary.path}; complete them")
    elif add:
        err_console.print("[yellow]no id could be added (ids must not contain '—')[/yellow]")


def suggest(
    corpus: Annotated[Path, typer.Argument(help="Corpus JSONL of Articles.")],
    pred: Annotated[
        list[str] | None,
        typer.Option("--pred", help="Prediction file (repeat, or comma-separated); 2+ to compare."),
    ] = None,
    model: Annotated[
        Path | None,
        typer.Option(
            "--model", help="A trained model folder (models/NAME, from `eventgold train`) to rank by its uncertainty."
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help="uncertainty, disagreement, or both (comma-separated; fused by mean rank). Default: disagreement; "
            "with --model: uncertainty, and both when --pred is given too.",
        ),
    ] = None,
    n: Annotated[int, typer.Option("-n", min=1, help="How many articles to suggest.")] = 50,
    exclude_ids: Annotated[
        Path | None,
        typer.Option(
            "--exclude-ids", help="File of ids to leave out (one per line), or a gold version folder (its documents)."
        ),
    ] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="Predictions format (default: detected).")] = None,
    doc_key: Annotated[
        str, typer.Option("--doc-key", help="Document key of PLOVER records / DocBin user_data.")
    ] = "doc_id",
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Write the ids, one per line (for `push --only-ids`); show the ranking."),
    ] = None,
    ontology: OntologyOpt = None,
    json_out: JsonOut = None,
) -> None:
    """Rank not-yet-annotated articles by extractor disagreement and/or a trained model's uncertainty.

    Disagreement compares prediction files (--pred); uncertainty runs a trained model (--model) and
    favours small margins between the two best trigger types and actor probabilities near 0.5.
    Whenever uncertainty is used, an article too similar to one ranked higher (half its word 3-grams
    shared) is left out, so the list holds no near duplicates.

    Example: [bold]eventgold suggest corpus.jsonl --pred a.jsonl,b.jsonl -n 50 -o ids.txt[/bold]

    Example: [bold]eventgold suggest corpus.jsonl --model models/v1 --pred a.jsonl,b.jsonl
    --by uncertainty,disagreement --exclude-ids done.txt -o next.txt[/bold]
    """
    from eventgold.extractors.suggest import format_id_list, parse_by, read_id_list, suggest, write_id_list
    from eventgold.ontology import load_ontology
    from eventgold.readers import FORMATS

    paths = [p for value in pred or [] for p in split_list(value)]
    if by is not None:
        methods = parse_by(by)
    elif model is None:
        methods = ("disagreement",)
    elif len(paths) >= 2:
        methods = ("uncertainty", "disagreement")
    else:
        methods = ("uncertainty",)
        if paths:  # one file measures no disagreement: the model's uncertainty alone ranks
            err_console.print(
                f"[yellow]warning:[/yellow] one prediction file measures no disagreement: ranked by the model's "
                f"uncertainty alone ({escape(paths[0])} not used; give two or more --pred files to fuse both)",
                highlight=False,
            )
            paths = []
    if "disagreement" in methods and not paths:
        raise InputError(
            "--by disagreement needs prediction files (--pred a.jsonl,b.jsonl)"
            if model is not None
            else "give at least one prediction file (--pred), or a trained model to rank by uncertainty "
            "(--model models/NAME)"
        )
    if fmt is not None and fmt not in FORMATS:
        raise InputError(f"unknown --format {fmt!r}; use one of {', '.join(FORMATS)}")
    if exclude_ids is not None and (exclude_ids / "gold.jsonl").is_file():  # a gold version: its documents
        from eventgold.gold.dataset import read_gold_version

        excluded = [d.doc_id for d in read_gold_version(exclude_ids).documents]
    else:
        excluded = read_id_list(exclude_ids) if exclude_ids else []
    with progress_bar(show=model is not None) as bar:
        task = bar.add_task(escape(f"model {model}"), total=None)
        result = suggest(
            corpus,
            paths,
            n=n,
            exclude_ids=excluded,
            fmt=cast("Format | None", fmt),
            doc_key=doc_key,
            ontology=load_ontology(ontology),
            model=model,
            by=methods,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    for warning in result.warnings:
        err_console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
    if output:
        write_id_list(output, (s.doc_id for s in result.suggestions))
    if json_out:
        write_json_output(
            {
                "considered": result.considered,
                "excluded": result.excluded,
                "predictions": paths,
                "model": str(model) if model is not None else None,
                "by": list(methods),
                "warnings": result.warnings,
                "suggestions": [
                    {
                        "doc_id": s.doc_id,
                        "score": s.score,
                        "uncertainty": s.uncertainty,
                        "disagreement": s.disagreement,
                        "candidate_events": s.candidate_events,
                        "units": list(s.units),
                    }
                    for s in result.suggestions
                ],
            },
            json_out,
        )
        if json_out == "-":
            return
    if output:
        console.print(_suggestion_table(result.suggestions, methods))
        console.print(f"wrote {len(result.suggestions)} ids to {output}")
        return
    # the ids as an id list (`> next.txt` works like -o): plain lines, never wrapped or read as markup
    typer.echo(format_id_list(s.doc_id for s in result.suggestions), nl=False)


def _suggestion_table(suggestions: Sequence[Suggestion], methods: Sequence[str]) -> Table:
    """The ranking as a table: rank, id, score and the measures the ranking used."""
    table = Table(title=f"suggested by {' + '.join(methods)}")
    table.add_column("#", justify="right")
    table.add_column("article")
    table.add_column("score", justify="right")
    if "uncertainty" in methods:
        table.add_column("uncertainty", justify="right")
    if "disagreement" in methods:
        table.add_column("disagreement", justify="right")
    table.add_column("events", justify="right")
    for i, s in enumerate(suggestions, 1):
        cells = [str(i), escape(s.doc_id), f"{s.score:.3f}"]
        if "uncertainty" in methods:
            cells.append("" if s.uncertainty is None else f"{s.uncertainty:.3f}")
        if "disagreement" in methods:
            cells.append("" if s.disagreement is None else f"{s.disagreement:.3f}")
        table.add_row(*cells, str(s.candidate_events))
    return table
