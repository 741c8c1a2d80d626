#!/usr/bin/env bash
# The unit tests on every supported Python besides the .venv's 3.11: for each version, a fresh venv
# in a temporary folder, pip upgraded, `pip install -e ".[dev,spacy]"`, then `pytest tests/unit`. The last
# version named installs `.[dev]` only, without the optional extras: the unit suite must import and
# pass without spaCy (its tests skip, saying why).
# Fails if a version is not found, does not install or fails a test; the checkout is left as it was
# (the editable install's src/*.egg-info is in .gitignore; no bytecode is written into the checkout).
#   .ci/python_versions.sh            3.12 and 3.13
#   .ci/python_versions.sh 3.13       only the versions named
# An interpreter is looked for in pyenv (the newest ~/.pyenv/versions/X.Y.*), then as pythonX.Y on PATH.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(3.12 3.13)

find_python() {  # prints the interpreter for version $1, or nothing
  local root=${PYENV_ROOT:-$HOME/.pyenv} candidate
  candidate=$(find "$root/versions" -maxdepth 1 -name "$1.*" 2>/dev/null | grep -E "/$1\.[0-9]+$" | sort -V | tail -n 1)
  if [ -n "$candidate" ] && [ -x "$candidate/bin/python" ]; then
    echo "$candidate/bin/python"
  elif command -v "python$1" >/dev/null 2>&1; then
    command -v "python$1"
  fi
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/eventgold-pyversions.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export PYTHONDONTWRITEBYTECODE=1  # no __pycache__ for each new version in src/ and tests/

before=$(git status --porcelain)
summary=()
failed=0
for v in "${versions[@]}"; do
  py=$(find_python "$v")
  if [ -z "$py" ]; then
    echo "=== Python $v: not found (no ~/.pyenv/versions/$v.*, no python$v on PATH)" >&2
    summary+=("Python $v: NOT FOUND")
    failed=1
    continue
  fi
  full=$("$py" -c 'import platform; print(platform.python_version())')
  echo "=== Python $full ($py)"
  extras="dev,spacy"
  [ "$v" = "${versions[-1]}" ] && extras="dev"
  venv="$tmp/py$v"
  log="$tmp/install-$v.log"
  start=$SECONDS
  if ! { "$py" -m venv "$venv" &&
    "$venv/bin/python" -m pip install -q -U pip &&
    "$venv/bin/python" -m pip install -q -e ".[$extras]"; } >"$log" 2>&1; then
    grep -v "^WARNING: Location '" "$log" >&2  # drop the noise of this machine's missing local indexes
    echo "=== Python $full: install FAILED ($((SECONDS - start)) s)" >&2
    summary+=("Python $full: install FAILED")
    failed=1
    continue
  fi
  echo "installed .[$extras] in $((SECONDS - start)) s; running pytest tests/unit"
  start=$SECONDS
  "$venv/bin/pytest" -p no:cacheprovider tests/unit -q
  code=$?
  if [ "$code" -eq 0 ]; then
    summary+=("Python $full (.[$extras]): passed ($((SECONDS - start)) s)")
  else
    summary+=("Python $full: FAILED, pytest exit $code ($((SECONDS - start)) s)")
    failed=1
  fi
done

after=$(git status --porcelain)
if [ "$after" != "$before" ]; then
  echo "the checkout changed during the run (git status --porcelain before, then after):" >&2
  printf '%s\n---\n%s\n' "$before" "$after" >&2
  summary+=("checkout: CHANGED")
  failed=1
fi

echo "=== summary"
printf '%s\n' "${summary[@]}"
exit "$failed"
