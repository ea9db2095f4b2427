#!/usr/bin/env bash
# What `make test` needs beyond `make demo`: hledger, to recompute the books
# from fundledger's plain-text export. Installed when missing and root; the
# test that uses it says it is skipped when it cannot be had.
set -uo pipefail
command -v hledger >/dev/null 2>&1 && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-test-deps: hledger not found (sudo apt-get install -y hledger); its cross-check test will be skipped" >&2
  exit 0
fi
echo "ensure-test-deps: installing hledger (apt-get install -y hledger)" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -qq hledger >/dev/null 2>&1; then
  apt-get update -qq >/dev/null 2>&1
  apt-get install -y -qq hledger >/dev/null 2>&1 || echo "ensure-test-deps: could not install hledger; its test will be skipped" >&2
fi
exit 0
