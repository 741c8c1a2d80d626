#!/usr/bin/env bash
# The package as a user gets it: build the sdist and the wheel (the wheel from the sdist, as
# `python -m build` does), install the wheel into a fresh venv outside the checkout, and run the
# README's flow from an empty folder there — with a real local Label Studio (`up`, `pull`).
# Leaves the checkout unchanged (build/ and *.egg-info are git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
work=$(mktemp -d "${TMPDIR:-/tmp}/eventgold-wheel-XXXXXX")
cleanup() {
  if [ -x "$work/venv/bin/eventgold" ] && [ -d "$work/fresh/.eventgold" ]; then
    (cd "$work/fresh" && "$work/venv/bin/eventgold" server stop >/dev/null 2>&1) || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
step() { printf '\n== %s\n' "$*"; }
# pip on this machine warns about every index folder it is configured with but lacks; keep errors only
pip_quiet() { "$@" 2>&1 | { grep -v "^WARNING: Location '.*' is ignored" || true; }; }

step "build the sdist and the wheel"
"$PY" -m venv "$work/build"
pip_quiet "$work/build/bin/pip" install -q -U pip build
"$work/build/bin/python" -m build --outdir "$work/dist" . >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
ls -l "$work/dist"
wheel=$(ls "$work"/dist/eventgold-*.whl)
"$work/build/bin/python" - "$wheel" "$work"/dist/eventgold-*.tar.gz <<'EOF'
import sys, tarfile, zipfile
wheel, sdist = sys.argv[1], sys.argv[2]
names = zipfile.ZipFile(wheel).namelist()
need = ["eventgold/data/label_config/ontology.yaml", "eventgold/data/label_config/actors.yaml",
        "eventgold/data/label_config/GUIDELINES.md", "eventgold/data/label_config/actors_events.xml",
        "eventgold/data/samples/gold/v1/gold.jsonl", "eventgold/extractors/lexicon.yaml",
        "eventgold/ingest/cleaning_rules.yaml", "eventgold/py.typed"]
missing = [n for n in need if n not in names]
articles = [n for n in names if n.startswith("eventgold/data/samples/articles/") and n.endswith(".txt")]
assert not missing, f"the wheel lacks {missing}"
assert len(articles) == 5, articles
members = tarfile.open(sdist).getnames()
assert any(m.endswith("src/eventgold/data/label_config/ontology.yaml") for m in members), "the sdist lacks the ontology"
print(f"wheel: {len(names)} files, package data present; sdist: {len(members)} members")
EOF

step "install the wheel into a fresh venv (outside the checkout)"
"$PY" -m venv "$work/venv"
pip_quiet "$work/venv/bin/pip" install -q -U pip
start=$(date +%s)
pip_quiet "$work/venv/bin/pip" install -q "$wheel"
echo "pip install of the wheel took $(( $(date +%s) - start )) s"
export PATH="$work/venv/bin:$PATH"
unset EVENTGOLD_CONFIG_DIR EVENTGOLD_HOME LABEL_STUDIO_URL LABEL_STUDIO_API_KEY
mkdir "$work/elsewhere"
cd "$work/elsewhere"
test "$(command -v eventgold)" = "$work/venv/bin/eventgold"
eventgold --version
eventgold config render --check
eventgold up --help >/dev/null

step "the README flow in a new project folder"
eventgold init "$work/project"
cd "$work/project"
eventgold -v config validate
eventgold config render --check
eventgold ingest samples/articles -o exports/corpus.jsonl
eventgold extract exports/corpus.jsonl -e rules -o exports/predictions/rules.jsonl
eventgold score --gold samples/gold/v1 --pred exports/predictions/rules.jsonl --bootstrap 0 --json exports/score.json
eventgold export samples/gold/v1 --format labelstudio -o exports/labelstudio-v1
eventgold export samples/gold/v1 --format conll -o exports/conll-v1
test -s exports/score.json

step "up in an empty folder (it makes the folder a project first), then pull"
mkdir "$work/fresh"
cd "$work/fresh"
eventgold server install
eventgold up --port "${EVENTGOLD_WHEEL_PORT:-8765}"
test -f label_config/ontology.yaml && test -f .eventgold/credentials
eventgold pull --project eventgold -o exports/raw/
ls exports/raw/
eventgold server stop
printf '\nwheel check passed\n'
