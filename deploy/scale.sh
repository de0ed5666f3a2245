#!/usr/bin/env bash
# Roundtable scaled out on one machine: N Daphne processes, PostgreSQL, Redis, HAProxy in front.
#
#   deploy/scale.sh start      # or: make scale          (N=4 make scale for four processes)
#   deploy/scale.sh status     # processes and what HAProxy thinks of each
#   deploy/scale.sh stop       # or: make scale-stop     (stops only what `start` started)
#   deploy/scale.sh render N   # prints haproxy.cfg for N processes (for /etc/haproxy)
#
# Everything listens on loopback. Settings (environment variables, with their defaults):
#   N             Daphne processes                 one per core (nproc)
#   PORT          HAProxy's port (HTTP + WebSocket) 8080
#   BASE_PORT     Daphne i listens on BASE_PORT+i   8100
#   STATS_PORT    HAProxy's stats page             8404
#   DATABASE_URL  PostgreSQL database              postgres://postgres@127.0.0.1:5432/roundtable
#   REDIS_URL     Redis (channel layer)            redis://127.0.0.1:6379/0
#   REDIS_PREFIX  channel-layer key prefix         roundtable
#   STATE_DIR     pid files, logs, rendered config var/scale
#   SECRET_KEY    Django's key                     made once, kept in $STATE_DIR/secret_key
#   DATABASE_POOL_SIZE  PostgreSQL connections per process (psycopg pool)   12
#   PAGE_SLOTS    pages one process works on at once; the rest queue in HAProxy   8
#                 (below the pool size: the writer and the sockets' threads hold one each)
#   LIVE_CONNECT_THREADS  threads per process reading for sockets that open   0 (measured: no gain)
#                 (PAGE_SLOTS + 1 + LIVE_CONNECT_THREADS <= DATABASE_POOL_SIZE)
#   ACCESS_LOG    Daphne's access log (per process: a file name is suffixed)   /dev/null
#   HAPROXY_INSTANCES  HAProxy processes sharing PORT (SO_REUSEPORT)   1
#                 Each proxied socket costs HAProxy two descriptors: where a process may not
#                 open more than 20,000 (this machine), 10,000 sockets need two instances.
#
# The trial deployment serves plain HTTP on loopback, so secure cookies and the HTTPS redirect
# are off; in production HAProxy terminates TLS (see deploy/haproxy.cfg) and they stay on.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

N="${N:-$(nproc)}"
PORT="${PORT:-8080}"
BASE_PORT="${BASE_PORT:-8100}"
STATS_PORT="${STATS_PORT:-8404}"
DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/roundtable}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
REDIS_PREFIX="${REDIS_PREFIX:-roundtable}"
STATE_DIR="${STATE_DIR:-$ROOT/var/scale}"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
HAPROXY_THREADS="${HAPROXY_THREADS:-1}"
HAPROXY_INSTANCES="${HAPROXY_INSTANCES:-1}"
DATABASE_POOL_SIZE="${DATABASE_POOL_SIZE:-12}"
PAGE_SLOTS="${PAGE_SLOTS:-8}"
LIVE_CONNECT_THREADS="${LIVE_CONNECT_THREADS:-0}"
ACCESS_LOG="${ACCESS_LOG:-/dev/null}"

say() { printf '%s\n' "$*"; }
die() { printf 'scale.sh: %s\n' "$*" >&2; exit 1; }

check_settings() {
  [[ "$N" =~ ^[1-9][0-9]*$ ]] || die "N must be a whole number of processes ≥ 1; got '$N'"
  for name in PORT BASE_PORT STATS_PORT HAPROXY_THREADS HAPROXY_INSTANCES DATABASE_POOL_SIZE PAGE_SLOTS; do
    [[ "${!name}" =~ ^[1-9][0-9]*$ ]] || die "$name must be a port/number; got '${!name}'"
  done
  # 0 keeps Channels' one shared database thread for the sockets' connects.
  [[ "$LIVE_CONNECT_THREADS" =~ ^[0-9]+$ ]] || die "LIVE_CONNECT_THREADS must be a number ≥ 0; got '$LIVE_CONNECT_THREADS'"
  (( BASE_PORT + N < 65536 )) || die "BASE_PORT + N must stay below 65536"
  case "$DATABASE_URL" in
    postgres://*|postgresql://*) ;;
    *) die "DATABASE_URL must be a PostgreSQL URL (several processes share it); got '$DATABASE_URL'" ;;
  esac
  case "$REDIS_URL" in
    redis://*) ;;
    *) die "REDIS_URL must start with redis://; got '$REDIS_URL'" ;;
  esac
}

# -- packages and services --------------------------------------------------------------------

apt_install() {
  [ "$(id -u)" = 0 ] || die "missing $* — install it with: sudo apt-get install $*"
  say "== installing $* from Debian's packages"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

ensure_packages() {
  local missing=()
  command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v pg_isready >/dev/null 2>&1 || missing+=(postgresql)
  if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi
  HAPROXY="$(command -v haproxy || echo /usr/sbin/haproxy)"
}

url_part() {  # url_part URL host|port|db
  "$PYTHON" - "$1" "$2" <<'PY'
import sys
from urllib.parse import urlsplit
url, part = urlsplit(sys.argv[1]), sys.argv[2]
default_port = 5432 if url.scheme.startswith("postgres") else 6379
print({"host": url.hostname or "127.0.0.1", "port": url.port or default_port,
       "db": url.path.lstrip("/")}[part])
PY
}

ensure_services() {
  local pg_host pg_port redis_host redis_port
  pg_host="$(url_part "$DATABASE_URL" host)"; pg_port="$(url_part "$DATABASE_URL" port)"
  redis_host="$(url_part "$REDIS_URL" host)"; redis_port="$(url_part "$REDIS_URL" port)"
  if ! pg_isready -h "$pg_host" -p "$pg_port" -q; then
    case "$pg_host" in 127.0.0.1|localhost) ;; *) die "PostgreSQL at $pg_host:$pg_port does not answer" ;; esac
    say "== starting PostgreSQL"
    local version
    version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)"
    [ -n "$version" ] || die "no PostgreSQL cluster in /etc/postgresql"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start
    for _ in $(seq 50); do pg_isready -h "$pg_host" -p "$pg_port" -q && break; sleep 0.2; done
    pg_isready -h "$pg_host" -p "$pg_port" -q || die "PostgreSQL did not start"
  fi
  if ! redis-cli -h "$redis_host" -p "$redis_port" ping >/dev/null 2>&1; then
    case "$redis_host" in 127.0.0.1|localhost) ;; *) die "Redis at $redis_host:$redis_port does not answer" ;; esac
    say "== starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no \
      --maxclients 20000 >/dev/null
    for _ in $(seq 50); do redis-cli -h "$redis_host" -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
}

ensure_database() {
  # Creates the database when it is missing (as the URL's user, else as the postgres user).
  "$PYTHON" - "$DATABASE_URL" <<'PY' || die "could not reach or create the database of DATABASE_URL ($DATABASE_URL): give it a user and password PostgreSQL accepts over TCP (Debian's default needs a password: sudo -u postgres createuser -P roundtable)"
import sys
from urllib.parse import urlsplit, urlunsplit
import psycopg
from psycopg import sql

url = urlsplit(sys.argv[1])
name = url.path.lstrip("/")
admin = urlunsplit(url._replace(path="/postgres"))
with psycopg.connect(admin, autocommit=True) as conn:
    if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        print(f"== created database {name}")
PY
}

# -- configuration --------------------------------------------------------------------------

secret_key() {
  if [ -n "${SECRET_KEY:-}" ]; then printf '%s' "$SECRET_KEY"; return; fi
  if [ ! -s "$STATE_DIR/secret_key" ]; then
    (umask 077; "$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(50))' > "$STATE_DIR/secret_key")
  fi
  cat "$STATE_DIR/secret_key"
}

app_env() {  # the environment of every Django process of this deployment
  export DEBUG=0 SECRET_KEY ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}"
  export DATABASE_URL REDIS_URL REDIS_PREFIX LOG_LEVEL="${LOG_LEVEL:-WARNING}" DATABASE_POOL_SIZE
  export LIVE_CONNECT_THREADS
  export SECURE_SSL_REDIRECT="${SECURE_SSL_REDIRECT:-0}"
  export SESSION_COOKIE_SECURE="${SESSION_COOKIE_SECURE:-0}"
  export CSRF_COOKIE_SECURE="${CSRF_COOKIE_SECURE:-0}"
  export SECURE_HSTS_SECONDS="${SECURE_HSTS_SECONDS:-0}"
  export PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings
  unset ROUNDTABLE_TESTING
  SECRET_KEY="$(secret_key)"
}

render() {  # render N: haproxy.cfg with the server lines of N Daphne processes
  local count="$1" pages="" sockets="" i
  for i in $(seq 1 "$count"); do
    pages+="    server d$i 127.0.0.1:$((BASE_PORT + i)) check"$'\n'
    sockets+="    server d$i 127.0.0.1:$((BASE_PORT + i)) track pages/d$i"$'\n'
  done
  while IFS= read -r line; do
    case "$line" in
      "    # @servers") printf '%s' "$pages" ;;
      "    # @socket-servers") printf '%s' "$sockets" ;;
      *) printf '%s\n' "$line" ;;
    esac
  done < "$ROOT/deploy/haproxy.cfg"
}

haproxy_env() {  # haproxy_env K: the environment of HAProxy instance K
  local limit
  limit="$(ulimit -Hn)"; [ "$limit" = unlimited ] && limit=1048576
  (( limit > 131072 )) && limit=131072
  export RT_BIND="127.0.0.1:$PORT" RT_STATS_BIND="127.0.0.1:$((STATS_PORT + $1 - 1))"
  export RT_HAPROXY_SOCKET="$STATE_DIR/haproxy-$1.sock" RT_HAPROXY_THREADS="$HAPROXY_THREADS"
  export RT_FORWARDED_PROTO="${FORWARDED_PROTO:-http}" RT_MAXCONN=$(( (limit - 200) / 2 ))
  export RT_PAGE_SLOTS="$PAGE_SLOTS"
}

# -- processes --------------------------------------------------------------------------------

alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

wait_port() {  # wait_port PORT PIDFILE SECONDS
  local deadline=$((SECONDS + $3))
  while (( SECONDS < deadline )); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    alive "$2" || return 1
    sleep 0.2
  done
  return 1
}

raise_fd_limit() { ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; }

start_daphne() {
  local i="$1" port=$((BASE_PORT + $1)) pidfile="$STATE_DIR/daphne-$1.pid"
  if alive "$pidfile"; then return; fi
  (
    raise_fd_limit
    local access="$ACCESS_LOG"
    [ "$access" = /dev/null ] || [ "$access" = - ] || access="$ACCESS_LOG.$i"
    # A socket's handshake may take a while in a storm (Daphne's default drops it after
    # 5 s, and the browser then starts over): allow 20 s.
    exec setsid "$PYTHON" -m daphne -b 127.0.0.1 -p "$port" --proxy-headers \
      --websocket_connect_timeout 20 --access-log "$access" config.asgi:application </dev/null >>"$STATE_DIR/daphne-$i.log" 2>&1
  ) &
  echo $! > "$pidfile"
}

haproxy_cmd() {  # haproxy_cmd K "show stat": the runtime API of instance K
  "$PYTHON" - "$STATE_DIR/haproxy-$1.sock" "$2" <<'PY'
import socket, sys
with socket.socket(socket.AF_UNIX) as s:
    s.connect(sys.argv[1]); s.sendall(sys.argv[2].encode() + b"\n")
    out = b""
    while chunk := s.recv(65536):
        out += chunk
print(out.decode(), end="")
PY
}

server_states() {  # server_states K: "d1 UP" lines
  haproxy_cmd "$1" "show stat" 2>/dev/null | awk -F, '$1=="pages" && $2 ~ /^d[0-9]+$/ {print $2, $18}'
}

start() {
  check_settings
  mkdir -p "$STATE_DIR"
  [ -x "$PYTHON" ] || make -C "$ROOT" .venv/.installed >/dev/null
  ensure_packages
  ensure_services
  ensure_database
  app_env
  say "== migrating $(url_part "$DATABASE_URL" db)"
  "$PYTHON" manage.py migrate --noinput >"$STATE_DIR/migrate.log" 2>&1 \
    || { cat "$STATE_DIR/migrate.log" >&2; die "migrate failed"; }
  # Pages name static files by their content hash (DEBUG is off): collect them once per start.
  "$PYTHON" manage.py collectstatic --noinput >"$STATE_DIR/collectstatic.log" 2>&1 \
    || { cat "$STATE_DIR/collectstatic.log" >&2; die "collectstatic failed"; }
  # Processes above N from an earlier, larger start are stopped.
  for pidfile in "$STATE_DIR"/daphne-*.pid; do
    [ -e "$pidfile" ] || continue
    local i="${pidfile##*/daphne-}"; i="${i%.pid}"
    if (( i > N )); then stop_pidfile "$pidfile"; fi
  done
  say "== starting $N Daphne processes on 127.0.0.1:$((BASE_PORT + 1))-$((BASE_PORT + N))"
  for i in $(seq 1 "$N"); do start_daphne "$i"; done
  for i in $(seq 1 "$N"); do
    wait_port $((BASE_PORT + i)) "$STATE_DIR/daphne-$i.pid" 60 \
      || { tail -20 "$STATE_DIR/daphne-$i.log" >&2; die "Daphne $i did not start"; }
  done
  render "$N" > "$STATE_DIR/haproxy.cfg"
  for k in $(seq 1 "$HAPROXY_INSTANCES"); do start_haproxy "$k"; done
  for pidfile in "$STATE_DIR"/haproxy-*.pid; do  # instances above HAPROXY_INSTANCES
    [ -e "$pidfile" ] || continue
    local k="${pidfile##*/haproxy-}"; k="${k%.pid}"
    if (( k > HAPROXY_INSTANCES )); then stop_pidfile "$pidfile"; fi
  done
  # Ready when HAProxy sees every process UP (two good health checks each).
  local deadline=$((SECONDS + 60)) up=0
  while (( SECONDS < deadline )); do
    up="$(server_states 1 | grep -c ' UP$' || true)"
    (( up == N )) && break
    sleep 0.3
  done
  (( up == N )) || { server_states 1 >&2; die "only $up of $N processes passed /healthz"; }
  say "Roundtable is serving on http://127.0.0.1:$PORT/ ($N Daphne processes behind HAProxy;"
  say "stats on http://127.0.0.1:$STATS_PORT/; logs in $STATE_DIR). Stop with: make scale-stop"
}

start_haproxy() {  # start_haproxy K: starts or reloads HAProxy instance K
  local k="$1" pidfile="$STATE_DIR/haproxy-$1.pid"
  haproxy_env "$k"
  "$HAPROXY" -c -q -f "$STATE_DIR/haproxy.cfg" || die "HAProxy rejected $STATE_DIR/haproxy.cfg"
  if alive "$pidfile"; then
    say "== reloading HAProxy $k"
    "$HAPROXY" -D -f "$STATE_DIR/haproxy.cfg" -p "$pidfile" -sf "$(cat "$pidfile")" \
      2>>"$STATE_DIR/haproxy.log"
  else
    say "== starting HAProxy $k on 127.0.0.1:$PORT (up to $RT_MAXCONN connections)"
    "$HAPROXY" -D -f "$STATE_DIR/haproxy.cfg" -p "$pidfile" 2>>"$STATE_DIR/haproxy.log" \
      || { tail -5 "$STATE_DIR/haproxy.log" >&2; die "HAProxy $k did not start"; }
  fi
}

stop_pidfile() {
  local pidfile="$1" pid
  if alive "$pidfile"; then
    pid="$(cat "$pidfile")"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

stop() {
  [ -d "$STATE_DIR" ] || { say "nothing started in $STATE_DIR"; return; }
  for pidfile in "$STATE_DIR"/haproxy-*.pid "$STATE_DIR"/daphne-*.pid; do
    [ -e "$pidfile" ] && stop_pidfile "$pidfile"
  done
  rm -f "$STATE_DIR"/haproxy-*.sock
  say "stopped (PostgreSQL and Redis keep running: they are shared services)"
}

status() {
  [ -d "$STATE_DIR" ] || { say "nothing started in $STATE_DIR"; return 1; }
  local rc=0
  for pidfile in "$STATE_DIR"/daphne-*.pid "$STATE_DIR"/haproxy-*.pid; do
    [ -e "$pidfile" ] || continue
    if alive "$pidfile"; then say "$(basename "$pidfile" .pid): running (pid $(cat "$pidfile"))"
    else say "$(basename "$pidfile" .pid): not running"; rc=1; fi
  done
  if alive "$STATE_DIR/haproxy-1.pid"; then server_states 1 | sed 's/^/haproxy sees /'; fi
  return $rc
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  render) check_settings; render "${2:-$N}" ;;
  *) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
