#!/usr/bin/env bash
# `make run`: the demo at http://127.0.0.1:5000, the outbox worker beside it, and a local mail sink
# on 127.0.0.1:8025 that prints every mail here (confirmation links included). Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
export FLASK_APP=wsgi.py
export SALUS_ENV=${SALUS_ENV:-development}
export BASE_URL=${BASE_URL:-http://127.0.0.1:5000}
export MAIL_SERVER=127.0.0.1 MAIL_PORT=8025 MAIL_USE_TLS=0 MAIL_USE_SSL=0
export PYTHONUNBUFFERED=1

for port in 5000 8025; do
    # SO_REUSEADDR as the servers themselves use it: a closed connection's TIME_WAIT is no obstacle.
    if ! "$PY" -c 'import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1])))' "$port" 2>/dev/null; then
        echo "Port $port on 127.0.0.1 is already in use: stop whatever holds it, then run make run again." >&2
        exit 1
    fi
done

"$PY" -m flask db upgrade
"$PY" -m flask demo

pids=()
stop_all() {
    trap - INT TERM EXIT
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap stop_all EXIT

"$PY" -m aiosmtpd -n -l 127.0.0.1:8025 -c aiosmtpd.handlers.Debugging &
pids+=($!)
"$PY" -m flask outbox work &
pids+=($!)
"$PY" -m flask run --host 127.0.0.1 --port 5000 --no-reload &
pids+=($!)

echo
echo "Salus is at $BASE_URL (mail is printed below). Press Ctrl-C to stop."
echo
# When any of the three stops, stop the others too.
wait -n
