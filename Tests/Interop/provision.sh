#!/usr/bin/env bash
# Prints the path of a Python that has the packages pinned in Tests/Interop/requirements.txt, for the
# interoperability tests. On first use it creates a virtual environment under .build/interop-venv/,
# keyed by a hash of the requirements and of the base python3, so a changed pin provisions anew.
# Several test processes may call it at once: the first provisions under a lock, the others wait.
#
# DIGITALSOCIETY_INTEROP_PYTHON=/path/to/python skips provisioning and uses that Python, which must
# already have the packages (pip install -r Tests/Interop/requirements.txt).
# On failure it exits non-zero and says on stderr what is missing and how to fix it.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
requirements="$root/Tests/Interop/requirements.txt"
modules="import joserfc, jwcrypto, sd_jwt, fhir.resources, openapi_spec_validator, schemathesis"
override="DIGITALSOCIETY_INTEROP_PYTHON"

fail() {
    printf 'Interop tests: %s\n' "$1" >&2
    [[ -n "${!override:-}" ]] || printf '%s\n' "Or install the packages into a Python yourself" \
        "(python3 -m pip install -r Tests/Interop/requirements.txt) and set $override=/path/to/that/python." >&2
    exit 1
}

if [[ -n "${!override:-}" ]]; then
    python="${!override}"
    "$python" -c "$modules" 2>/dev/null \
        || fail "$override=$python cannot import the interop packages ($modules): run '$python -m pip install -r $requirements'."
    echo "$python"
    exit 0
fi

command -v python3 >/dev/null \
    || fail "python3 is not on PATH. Install Python 3 with venv and pip (Debian: apt-get install python3 python3-venv)."
python3 -c "import venv, ensurepip" 2>/dev/null \
    || fail "$(command -v python3) has no venv/ensurepip module. Install it (Debian: apt-get install python3-venv)."
command -v flock >/dev/null || fail "flock is not on PATH. Install it (Debian: apt-get install util-linux)."

base="$(python3 -c 'import sys; print(sys.executable, sys.version)')"
key="$({ cat "$requirements"; echo "$base"; } | sha256sum | cut -c1-16)"
parent="$root/.build/interop-venv"
venv="$parent/$key"
python="$venv/bin/python"
ready="$venv/.provisioned"

if [[ ! -f "$ready" || ! -x "$python" ]]; then
    mkdir -p "$parent"
    exec 9>"$parent/lock"
    flock 9
    # Another process may have provisioned while this one waited for the lock.
    if [[ ! -f "$ready" || ! -x "$python" ]]; then
        log="$parent/$key.log"
        echo "Interop tests: provisioning $venv from $requirements (once)" >&2
        # Environments for older pins or another python3 are no longer used.
        find "$parent" -mindepth 1 -maxdepth 1 ! -name lock -exec rm -rf {} +
        python3 -m venv "$venv" >"$log" 2>&1 \
            || fail "'python3 -m venv $venv' failed (log: $log): $(tail -n 3 "$log"). Debian: apt-get install python3-venv."
        env -u PYTHONPATH -u PYTHONHOME PYTHONNOUSERSITE=1 "$python" -m pip install --disable-pip-version-check \
            --no-input --quiet -r "$requirements" >>"$log" 2>&1 \
            || fail "pip could not install the pinned packages into $venv; it needs to reach PyPI once (log: $log): $(tail -n 3 "$log")"
        "$python" -c "$modules" >>"$log" 2>&1 \
            || fail "the provisioned environment $venv cannot import the interop packages (log: $log)."
        touch "$ready"
    fi
fi
echo "$python"
