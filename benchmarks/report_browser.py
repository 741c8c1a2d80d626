"""Big scoring reports in Chromium: time to open, to sort the error table and to filter it.

1. Builds a score report with ``--errors`` errors (default 100,000; the fixture report with
   generated errors, see ``tests/e2e/big_report.py``) and writes its JSON.
2. Renders it with ``eventgold report score.json --html new.html`` (the paged table: rows as
   JSON data, one page in the DOM) and, unless ``--no-old``, with the renderer as it was before
   (``src/eventgold/report/html.py`` at ``--old-ref``: every error a table row).
3. Opens each page in headless Chromium (Debian's, through Playwright) and measures (the paged
   page ``--repeat`` times, best kept; the old one once, it takes minutes), wall clock:

   - open: from navigation to the load event, and until the first error rows are laid out
     and painted (two animation frames after they are in the DOM);
   - sort: click the Offsets heading (first sort: keys built), again (descending), then the
     Document heading, each until two frames later;
   - filter: type a word into the filter box (a rare one first, then a common one), each until
     two frames later.

Prints the times against the goals (open < 3 s, sort < 1 s, filter < 1 s) and the page sizes.

Run: .venv/bin/python benchmarks/report_browser.py [--errors 100000] [--no-old] [--old-ref REF]
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.big_report import NEEDLE, many_errors_report  # noqa: E402

import eventgold.scoring.report  # noqa: E402
from eventgold.cli import main as eventgold_main  # noqa: E402
from eventgold.report.html import render_html  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
OLD_REF = "469ceee"
"""The last commit with the one-row-per-error table (before the paged table)."""
GOALS = {"open": 3.0, "sort": 1.0, "filter": 1.0}

FRAME = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now()))))"
ACT = """async ([what, arg]) => {
  if (what === "click") {
    [...document.querySelectorAll("#error-table thead th")].find(th => th.textContent.trim() === arg).click();
  } else {
    const box = document.getElementById("error-table-filter");
    box.value = arg;
    box.dispatchEvent(new Event("input", {bubbles: true}));
  }
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
}"""


def old_renderer(ref: str) -> ModuleType:
    """``eventgold.report.html`` as it was at commit ``ref``, loaded beside the current one."""
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{ref}:src/eventgold/report/html.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    spec = importlib.util.spec_from_loader("eventgold.report._old_html", loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    exec(compile(source, f"{ref}:html.py", "exec"), module.__dict__)
    return module


def act(page: Page, what: str, arg: str) -> float:
    """Seconds from asking the page to act (click a heading, or type into the filter) to the next frame.

    Wall clock, so it includes any work the page was still doing (reading its data after opening).
    """
    return timed(lambda: page.evaluate(ACT, [what, arg]))


def timed(fn: Callable[[], object]) -> float:
    """Seconds ``fn`` took."""
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def measure(browser: Browser, html: Path, timeout_s: float) -> dict[str, float]:
    """Seconds to open, sort and filter one report page (one fresh browser context)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(timeout_s * 1000)
    page: Page = context.new_page()
    try:
        t0 = time.perf_counter()
        page.goto(html.as_uri(), wait_until="load", timeout=timeout_s * 1000)
        load = time.perf_counter() - t0
        page.wait_for_selector("#error-table tbody tr", state="visible")
        page.evaluate(FRAME)
        first_rows = time.perf_counter() - t0
        out = {"load": load, "open": first_rows}
        out["sort"] = act(page, "click", "Offsets")
        out["sort again (descending)"] = act(page, "click", "Offsets")
        out["sort by text column"] = act(page, "click", "Document")
        out["filter"] = act(page, "input", NEEDLE)
        out["filter, common word"] = act(page, "input", "ceasefire")
        out["clear filter"] = act(page, "input", "")
        out["rows in DOM"] = page.locator("#error-table tbody tr").count()
        return out
    finally:
        context.close()


def best(runs: list[dict[str, float]]) -> dict[str, float]:
    """The best (smallest) value of each measure over the runs."""
    return {k: min(r[k] for r in runs) for k in runs[0]}


def main() -> None:
    """Build, render, open and time the report pages; print a Markdown table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--errors", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-old", action="store_true", help="skip the one-row-per-error page")
    ap.add_argument("--old-ref", default=OLD_REF)
    ap.add_argument("--old-timeout", type=float, default=900.0, help="seconds allowed per step of the old page")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="eventgold-report-bench-") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        report = many_errors_report(args.errors)
        # reports keep the first ERROR_SAMPLE_SIZE errors of each kind (--errors FILE has them all);
        # raised so that every generated error reaches the page
        eventgold.scoring.report.ERROR_SAMPLE_SIZE = args.errors
        score_json = folder / "score.json"
        score_json.write_text(report.to_json(), encoding="utf-8")
        print(f"score report with {args.errors:,} errors: {time.perf_counter() - t0:.1f} s to build and write")

        new = folder / "new.html"
        cli_new = timed(lambda: eventgold_main(["report", str(score_json), "--html", str(new)]))
        print(f"eventgold report score.json --html (in process): {cli_new:.1f} s (reading the JSON, charts, page)")
        render_new = timed(lambda: render_html(report))
        pages = {"paged (new)": (new, render_new)}
        sizes = {"paged (new)": new.stat().st_size}
        if not args.no_old:
            old = folder / "old.html"
            module = old_renderer(args.old_ref)
            render_old = timed(lambda: module.render_html(report))
            old.write_text(module.render_html(report), encoding="utf-8")
            pages[f"one row per error ({args.old_ref})"] = (old, render_old)
            sizes[f"one row per error ({args.old_ref})"] = old.stat().st_size

        results: dict[str, dict[str, float]] = {}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                for name, (html, _) in pages.items():
                    repeat = args.repeat if name.startswith("paged") else 1
                    timeout = 60.0 if name.startswith("paged") else args.old_timeout
                    results[name] = best([measure(browser, html, timeout) for _ in range(repeat)])
            finally:
                browser.close()

    names = list(pages)
    print()
    print("| what | goal | " + " | ".join(names) + " |")
    print("|---|---:|" + "---:|" * len(names))
    print("| page size | | " + " | ".join(f"{sizes[n] / 1e6:.1f} MB" for n in names) + " |")
    print("| render (model to HTML, in process) | | " + " | ".join(f"{pages[n][1]:.1f} s" for n in names) + " |")
    for key in results[names[0]]:
        goal = next((g for k, g in GOALS.items() if key.startswith(k) and key != "load"), None)
        cells = []
        for n in names:
            v = results[n].get(key)
            if v is None:
                cells.append("")
            elif key == "rows in DOM":
                cells.append(f"{int(v):,}")
            else:
                mark = "" if goal is None else (" ok" if v < goal else " MISSED")
                cells.append(f"{v:.3f} s{mark}" if v < 10 else f"{v:.1f} s{mark}")
        print(f"| {key} | {'' if goal is None else f'< {goal:g} s'} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
