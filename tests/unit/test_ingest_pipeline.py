"""The ingest pipeline on the seed articles: titles, dates, sources, no furniture, stable ids, duplicates."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import threading
from pathlib import Path

import pytest

from eventgold.errors import ConfigError, InputError
from eventgold.ingest import (
    Ingestor,
    IngestSummary,
    ingest,
    ingest_to_file,
    make_options,
    normalize_whitespace,
    pipeline,
)
from eventgold.jsonl import read_jsonl
from eventgold.models import Article, sha256_text
from eventgold.resources import packaged_samples

SEEDS = packaged_samples() / "articles"
FURNITURE = [
    "Leave a Reply",
    "You are commenting using your",
    "account. Log Out",
    "Connecting to %s",
    "Fill in your details below",
    "Be Civil",
    "Civilized Place for Public Discussion",
    "Related Articles",
    "Show More",
    "Back to top button",
    "Verified by MonsterInsights",
    "A- A A +",
    "مشاركة :",
    "news-picture",
    "• 0",
    "Google photo",
    "Source: RT Arabic",
    "Baghdad today – follow up",
]
EXPECTED = {
    "000_87d7f54058e42e0b": (None, dt.date(2020, 11, 22), "RT Arabic"),
    "001_e03c588a3ee11681": ("Ismael Qaani Back in Iraq Again… What Are the Objectives of the Visit?", None, None),
    "002_dad6e3c2e5782cf7": ("Iraq FM Requests Calm from Tehran during Iran Visit", dt.date(2020, 9, 28), None),
    "003_fe122d7538d20c8f": (
        "An upcoming summit between Al-Kazemi and all Iraqi political forces regarding a “very important file”",
        dt.date(2020, 8, 24),
        "Shafaq News",
    ),
    "004_7e88fb271410e547": (
        "Pompeo from Abu Dhabi: We support Al-Kazemi and we want a free Iraq as the demonstrators want it",
        dt.date(2020, 11, 22),
        "Baghdad today",
    ),
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Article]:
    out = tmp_path_factory.mktemp("corpus") / "corpus.jsonl"
    summary = ingest_to_file([SEEDS], out)
    assert (summary.files_read, summary.articles_written, summary.skipped) == (5, 5, [])
    return {a.id: a for a in read_jsonl(out, Article)}


def test_seeds_give_five_articles_with_path_ids(corpus: dict[str, Article]) -> None:
    assert sorted(corpus) == sorted(EXPECTED)


@pytest.mark.parametrize("doc_id", sorted(EXPECTED))
def test_seed_title_date_source(corpus: dict[str, Article], doc_id: str) -> None:
    article = corpus[doc_id]
    assert (article.title, article.published, article.source) == EXPECTED[doc_id]
    assert article.language == "en"
    assert article.duplicate_of is None


@pytest.mark.parametrize("phrase", FURNITURE)
def test_no_seed_contains_furniture(corpus: dict[str, Article], phrase: str) -> None:
    for article in corpus.values():
        assert phrase not in article.text, article.id


def test_seed_text_is_normalised_and_keeps_the_story(corpus: dict[str, Article]) -> None:
    for article in corpus.values():
        assert article.text == normalize_whitespace(article.text)
        assert article.content_sha == sha256_text(article.text)
        if article.title:
            assert article.title not in article.text.split("\n")[0]
    assert corpus["001_e03c588a3ee11681"].meta["category"] == "Middle east"
    assert corpus["000_87d7f54058e42e0b"].meta["dateline"] == "BEIRUT, LEBANON"
    assert corpus["000_87d7f54058e42e0b"].text.endswith("by the U.S. forces on January 3rd.")
    assert corpus["002_dad6e3c2e5782cf7"].text.endswith("the lightest of punishments for the killing of Soleimani.")
    assert corpus["004_7e88fb271410e547"].text.startswith("Today, Sunday (November 22, 2020), US Secretary of State")
    assert "Shafaq News / Saad Al-Saadi" in corpus["003_fe122d7538d20c8f"].text


def test_ingest_twice_gives_identical_output(tmp_path: Path) -> None:
    ingest_to_file([SEEDS], tmp_path / "a.jsonl")
    ingest_to_file([SEEDS], tmp_path / "b.jsonl")
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()


def test_edited_article_keeps_its_id_with_a_new_content_sha(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    shutil.copytree(SEEDS, folder)
    before = {a.id: a for a in ingest([folder])}
    path = folder / "002_dad6e3c2e5782cf7.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("fifth straight day", "sixth straight day"),
                    encoding="utf-8")
    after = {a.id: a for a in ingest([folder])}
    assert sorted(before) == sorted(after)
    for doc_id in before:
        changed = doc_id == "002_dad6e3c2e5782cf7"
        assert (before[doc_id].content_sha != after[doc_id].content_sha) is changed


def test_exact_duplicates_merged_and_near_duplicates_marked(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    shutil.copytree(SEEDS, folder)
    original = (folder / "004_7e88fb271410e547.txt").read_text(encoding="utf-8")
    (folder / "005_exact_copy.txt").write_text(original, encoding="utf-8")
    (folder / "006_republished.txt").write_text(
        original.replace("press statement", "press release").replace("5,200", "5,300"), encoding="utf-8"
    )
    out = tmp_path / "corpus.jsonl"
    summary = ingest_to_file([folder], out)
    articles = {a.id: a for a in read_jsonl(out, Article)}
    assert summary.articles_written == 6 and summary.exact_duplicates == 1 and summary.near_duplicates == 1
    assert "005_exact_copy" not in articles
    assert articles["004_7e88fb271410e547"].meta["merged_from"] == ["005_exact_copy"]
    near = articles["006_republished"]
    assert near.duplicate_of == "004_7e88fb271410e547"
    assert near.meta["near_duplicate_similarity"] >= 0.8
    kinds = {(d.id, d.kind, d.duplicate_of) for d in summary.duplicates}
    assert kinds == {("005_exact_copy", "exact", "004_7e88fb271410e547"),
                     ("006_republished", "near", "004_7e88fb271410e547")}
    off = ingest_to_file([folder], tmp_path / "off.jsonl", near_dup_threshold=0)
    assert off.near_duplicates == 0 and off.articles_written == 6


def test_keep_raw_stores_the_untouched_text(tmp_path: Path) -> None:
    (article,) = ingest([SEEDS / "003_fe122d7538d20c8f.txt"], keep_raw=True)
    assert article.meta["raw_text"] == (SEEDS / "003_fe122d7538d20c8f.txt").read_text(encoding="utf-8")
    assert "raw_text" not in next(iter(ingest([SEEDS / "003_fe122d7538d20c8f.txt"]))).meta


def test_records_with_given_ids_dates_and_urls(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    rows = [
        {"id": "given-1", "text": "Iraqi officials met in Baghdad to discuss a withdrawal.", "published": "28/9/2020"},
        {"url": "https://x.org/a#top", "text": "A story known by its URL, about a visit to Tehran.", "lang": "EN"},
        {"text": "A story known only by its line in the file, about the Green Zone."},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    a, b, c = ingest([path])
    assert (a.id, a.published, a.meta["id_from"]) == ("given-1", dt.date(2020, 9, 28), "given")
    assert (b.id.startswith("url-"), b.url, b.language) == (True, "https://x.org/a#top", "en")
    assert (c.id, c.meta["line"]) == ("export#3", 3)


def test_unreadable_given_date_is_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("text,date\nSome article text here.,next week\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 1: cannot read the date 'next week'"):
        list(ingest([path]))


def test_id_clash_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "story.txt").write_text("One story about Baghdad and the talks there.", encoding="utf-8")
    (tmp_path / "story.html").write_text("<html><body><article><p>Another story about Tehran and a visit "
                                         "there by the minister of foreign affairs.</p></article></body></html>")
    with pytest.raises(InputError, match="id 'story' is already used"):
        list(ingest([tmp_path]))
    summary = IngestSummary()
    assert len(list(ingest([tmp_path], skip_bad=True, summary=summary))) == 1
    assert "already used" in summary.skipped[0].reason


def test_bad_option_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="near_dup_threshold"):
        list(ingest([SEEDS], near_dup_threshold=2.0))
    with pytest.raises(ConfigError, match="unknown_option"):
        list(ingest([SEEDS], unknown_option=1))


def test_furniture_only_article_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("Show More\n\nBack to top button\n", encoding="utf-8")
    with pytest.raises(InputError, match="nothing left after removing site furniture"):
        list(ingest([tmp_path]))


def test_progress_reports_every_byte(tmp_path: Path) -> None:
    total: list[int] = []
    done: list[int] = []
    ingest_to_file([SEEDS], tmp_path / "c.jsonl", on_start=total.append, progress=done.append)
    assert total == [sum(p.stat().st_size for p in SEEDS.glob("*.txt"))]
    assert sum(done) == total[0]


def _many(folder: Path, n: int) -> None:
    """``n`` small distinct articles (with an exact copy, a bad file and a JSONL file among them)."""
    seeds = sorted(SEEDS.glob("*.txt"))
    for i in range(n):
        text = seeds[i % 5].read_text(encoding="utf-8").replace("Baghdad", f"Baghdad-{i}", 3)
        (folder / f"a{i:04d}.txt").write_text(text, encoding="utf-8")
    shutil.copy(folder / "a0100.txt", folder / "a0101.txt")
    (folder / "a0120.txt").write_bytes(b"")
    (folder / "a0130.jsonl").write_text('{"text": "A JSONL article in the middle of the files."}\n')


def test_worker_pool_gives_the_same_output_as_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # other tests may leave threads behind; the pool forks only in a single-threaded process
    monkeypatch.setattr(pipeline.threading, "active_count", lambda: 1)
    folder = tmp_path / "in"
    folder.mkdir()
    _many(folder, 200)
    one = ingest_to_file([folder], tmp_path / "one.jsonl", workers=1, skip_bad=True)
    pooled = Ingestor(make_options(workers=2, skip_bad=True))
    with (tmp_path / "two.jsonl").open("w", encoding="utf-8") as fh:
        for article in pooled.run(pooled.discover([folder])):
            fh.write(article.model_dump_json() + "\n")
    assert pooled.pooled
    assert [json.loads(x)["id"] for x in (tmp_path / "one.jsonl").read_text().splitlines()] == [
        json.loads(x)["id"] for x in (tmp_path / "two.jsonl").read_text().splitlines()
    ]
    two = ingest_to_file([folder], tmp_path / "two.jsonl", workers=2, skip_bad=True)
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "two.jsonl").read_bytes()
    assert one.model_dump(exclude={"output"}) == two.model_dump(exclude={"output"})
    assert two.exact_duplicates == 1 and [s.path.endswith("a0120.txt") for s in two.skipped] == [True]
    assert two.records_read == 200


def test_with_other_threads_running_the_work_stays_in_process(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    _many(folder, 150)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        ingestor = Ingestor(make_options(workers=2, skip_bad=True))
        ids = [a.id for a in ingestor.run(ingestor.discover([folder]))]
    finally:
        stop.set()
        thread.join()
    assert not ingestor.pooled
    assert ids == [a.id for a in ingest([folder], workers=1, skip_bad=True)]


def test_worker_pool_stops_at_the_first_bad_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline.threading, "active_count", lambda: 1)
    folder = tmp_path / "in"
    folder.mkdir()
    _many(folder, 200)
    out = tmp_path / "out.jsonl"
    out.write_text("EARLIER\n")
    with pytest.raises(InputError, match=r"a0120\.txt: empty file"):
        ingest_to_file([folder], out, workers=2)
    assert out.read_text() == "EARLIER\n"
