#!/usr/bin/env bash
# Creates or refreshes the Python environment that the search conformance suites run in: a virtual
# environment at .build/conformance-venv (outside the tracked files; $SEARCH_CONFORMANCE_VENV overrides)
# holding exactly the packages pinned in requirements.txt. Idempotent: when the environment already holds
# exactly that set it does nothing; otherwise it is rebuilt from scratch. Needs python3 with the venv
# module (Debian: apt-get install python3-venv) and PyPI. The Swift tests that need it (the search
# conformance suites, the console's browser and metrics checks) run this script first, so `swift test`
# alone sets it up; it fails loudly, never skips, when it cannot.
#
# Usage: setup-venv.sh           create or refresh
#        setup-venv.sh --check   only say whether it is up to date (exit 0) or not (exit 1); installs nothing
set -euo pipefail
check_only=false
[ "${1:-}" = "--check" ] && check_only=true

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${SEARCH_CONFORMANCE_VENV:-$root/.build/conformance-venv}"
requirements="$here/requirements.txt"
python="${PYTHON:-python3}"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

# "name==version" lines, names normalised as PyPI does (lower case, runs of -_. as one -), sorted.
normalise() {
    sed -e 's/[[:space:]]*#.*//' -e '/^[[:space:]]*$/d' |
        awk -F'==' '{ name = tolower($1); gsub(/[-_.]+/, "-", name); print name "==" $2 }' | sort
}
wanted="$(normalise <"$requirements")"

# One at a time: test suites running in parallel call this script too.
mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9

if [ -x "$venv/bin/python" ]; then
    installed="$("$venv/bin/python" -m pip freeze 2>/dev/null | normalise || true)"
    if [ "$installed" = "$wanted" ]; then
        echo "conformance venv: up to date at $venv"
        exit 0
    fi
    $check_only && { echo "conformance venv: $venv does not hold exactly requirements.txt; run Tests/SearchConformance/setup-venv.sh" >&2; exit 1; }
    echo "conformance venv: installed packages differ from requirements.txt; rebuilding $venv"
fi
$check_only && { echo "conformance venv: $venv is missing; run Tests/SearchConformance/setup-venv.sh" >&2; exit 1; }

rm -rf "$venv"
mkdir -p "$(dirname "$venv")"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --no-input --no-deps --requirement "$requirements"
"$venv/bin/python" -m pip check
installed="$("$venv/bin/python" -m pip freeze | normalise)"
if [ "$installed" != "$wanted" ]; then
    echo "conformance venv: after installing, the packages still differ from requirements.txt:" >&2
    diff <(echo "$wanted") <(echo "$installed") >&2 || true
    exit 1
fi
echo "conformance venv: installed $(echo "$wanted" | wc -l) pinned packages at $venv"
