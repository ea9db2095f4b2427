#!/usr/bin/env bash
# Plants the mutations of scripts/mutants/*.txt one at a time in a temporary
# copy of the tree and runs the tests that cover each (see scripts/mutants/main.go).
# Low priority: the machine is shared. Arguments go to the runner, e.g.
#   scripts/mutants.sh -only recon/        # only the recon mutants
#   scripts/mutants.sh -baseline=false scripts/mutants/ledger.txt
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
go build -o /tmp/fundledger-mutants-runner ./scripts/mutants
exec nice -n 19 /tmp/fundledger-mutants-runner "$@"
