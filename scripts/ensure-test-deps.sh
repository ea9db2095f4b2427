#!/usr/bin/env bash
# What `make test` needs beyond `make demo`: hledger, to recompute the books
# from fundledger's plain-text export, and Chromium with a Chinese font for
# the browser test. Installed when missing and root; the tests that use them
# say they are skipped when they cannot be had.
set -uo pipefail
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
  echo "ensure-test-deps: installing chromium (apt-get install -y chromium fonts-wqy-microhei)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null 2>&1; } ||
    echo "ensure-test-deps: could not install chromium; the browser test will be skipped" >&2
fi
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
