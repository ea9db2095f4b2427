#!/usr/bin/env bash
# Installs what `make demo` and `make test` need on a fresh Debian machine:
# Go (checked, not installed: the machine's own toolchain is used) and the
# PostgreSQL server binaries (installed with apt-get when missing).
set -euo pipefail

need_go="1.26"
if ! command -v go >/dev/null 2>&1; then
  if [ -x /usr/local/go/bin/go ]; then
    echo "ensure-deps: go is in /usr/local/go/bin but not on PATH; the Makefile adds it" >&2
  else
    echo "ensure-deps: Go ${need_go} or newer is required (https://go.dev/doc/install); not found" >&2
    exit 1
  fi
fi

have_pg() {
  command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1 && return 0
  compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null
}

if ! have_pg; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "ensure-deps: PostgreSQL server binaries (initdb, pg_ctl) not found." >&2
    echo "  Install them as root: sudo apt-get install -y postgresql   (or set DATABASE_URL to a server)" >&2
    exit 1
  fi
  echo "ensure-deps: installing PostgreSQL server (apt-get install -y postgresql)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
  have_pg || { echo "ensure-deps: postgresql installed but pg_ctl still not found" >&2; exit 1; }
fi

# As root the server runs as the postgres user, which the Debian package creates.
if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
  echo "ensure-deps: running as root needs a 'postgres' user to own the server; install the postgresql package" >&2
  exit 1
fi
