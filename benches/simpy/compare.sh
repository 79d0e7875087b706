#!/usr/bin/env bash
# linetwin vs SimPy on the reference serial line. Run from anywhere:
#   benches/simpy/compare.sh            # horizon from the scenario (100000 min)
#   HORIZON=20000 benches/simpy/compare.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."   # repo root

VENV=target/simpy-venv
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c 'import simpy' 2>/dev/null; then
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check simpy
fi

cargo build --release -q -p scenarios --bin linetwin

args=()
if [ -n "${HORIZON:-}" ]; then
    args+=(--horizon "$HORIZON")
fi
exec "$VENV/bin/python" benches/simpy/compare.py ${args[@]+"${args[@]}"} "$@"
