# Two commands on a fresh Debian machine:
#   make demo   builds fundledger and runs the demo on the embedded database
#   make test   runs every test against a real PostgreSQL
SHELL := /bin/bash
export PATH := $(PATH):/usr/local/go/bin
GO ?= go
BIN := bin/fundledger

.PHONY: deps build demo test bench soak mutants clean

deps:
	@scripts/ensure-deps.sh

build: deps
	$(GO) build -o $(BIN) ./cmd/fundledger

demo: build
	./$(BIN) demo

test: deps
	@scripts/ensure-test-deps.sh
	$(GO) vet ./...
	@$(GO) build -o bin/testprogress ./scripts/testprogress
	@echo "go test ./... (packages are named as they start and finish; failing tests print whole)"
	@set -o pipefail; $(GO) test -json -count=1 -timeout 10m ./... | bin/testprogress

# Speed figures (see README): every invariant on, private server on /dev/shm.
bench: deps
	$(GO) test -run '^$$' -bench 'PostBatch' -benchtime 10x -count 3 -timeout 20m ./ledger/
	$(GO) test -run '^$$' -bench 'Post$$|PostConcurrent' -benchtime 3s -count 3 -timeout 20m ./ledger/
	$(GO) test -run '^$$' -bench Match1M -benchtime 1x -timeout 30m ./recon/

# 32 API clients on `serve` for $(SOAK_DURATION) while the database server is
# restarted twice (fast, then immediate); figures in the README.
SOAK_DURATION ?= 5m
soak: deps
	set -o pipefail; FUNDLEDGER_SOAK_DURATION=$(SOAK_DURATION) $(GO) test -run '^$$' -bench '^BenchmarkSoak$$' -benchtime 1x -timeout 60m ./cmd/fundledger/ | grep -v '^{"time"'

# Mutation check, not part of `make test` (README, "Mutation check"): plants
# each mutant of scripts/mutants/*.txt in a temporary copy of the tree, one at
# a time, at low priority, and runs the tests that cover it.
mutants: deps
	scripts/mutants.sh

clean:
	rm -rf bin
