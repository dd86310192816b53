# authobs: the authobs collector processor and its otelcol-authobs distribution.
#
#   make demo        build what it needs, run the whole loop on 127.0.0.1, print a report
#   make collector   build _build/otelcol-authobs with ocb (ocb itself is installed on first use)
#   make test        tidy check, unit tests of every module with the race detector, then the
#                    end-to-end tests on the binary
#   make lint        gofmt, go vet, staticcheck, golangci-lint and an offline govulncheck
#   make fuzz        fuzz campaigns (FUZZTIME each); fails only when a reproducer is written
#   make generate    regenerate the mdatagen files from metadata.yaml
#   make bench       side-by-side benchmark of authobs and the contrib redaction tools (bench/)
#   make clean       remove _build
#
# Targets are independent blocks; add new ones the same way (a .PHONY line, then the rule).

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := collector

GO ?= go
OCB_VERSION := v0.165.0
BUILD_DIR := _build
OCB := $(BUILD_DIR)/bin/builder
COLLECTOR := $(BUILD_DIR)/otelcol-authobs
E2E_PKG := ./e2e
# The recall corpus seed of make test (fixed, so CI is deterministic; make recall draws fresh).
CORPUS_SEED ?= 20261207

# The Go modules of the repository. The root is the processor and nothing else; the client, its
# openai-go adapter, the test harness (mock API, demo, in-process collector, e2e, soak) and each
# tool are modules of their own, so a consumer of the processor gets only what it imports.
TEST_MODULES := . client client/openaimw test internal/tools/gitleaks
TOOL_MODULES := internal/tools/mdatagen internal/tools/golangci-lint internal/tools/staticcheck internal/tools/govulncheck
ALL_MODULES := $(TEST_MODULES) bench $(TOOL_MODULES)
# The modules whose code is linted (tool modules hold no code of ours).
LINT_MODULES := $(TEST_MODULES) bench

# What we ship (the distribution binary) is built with this patched toolchain, fetched by the go
# command through the module proxy: Go 1.26.8 has standard-library vulnerabilities fixed in
# 1.26.9/1.26.10. go.mod keeps `go 1.26.0` so consumers of the processor are not forced.
SHIP_GO := go1.26.10
# The offline vulnerability database for govulncheck, as a pinned module (its data/osv).
VULNDB := golang.org/x/vulndb@v0.0.0-20261105234957-e22db6528018
GOLANGCI_LINT := $(BUILD_DIR)/bin/golangci-lint
STATICCHECK := $(BUILD_DIR)/bin/staticcheck
GOVULNCHECK := $(BUILD_DIR)/bin/govulncheck

# Everything that ends up in the binary: the build config, the module files and the non-test
# Go sources of the processor (root and internal/), the fileexporter stub included.
COLLECTOR_SRCS := builder-config.yaml go.mod go.sum \
	$(wildcard *.go) \
	$(shell find internal -path internal/tools -prune -o -type f \( -name '*.go' -o -name 'go.mod' \) ! -name '*_test.go' -print 2>/dev/null)
COLLECTOR_SRCS := $(filter-out %_test.go,$(COLLECTOR_SRCS))

# Go files we own for gofmt: everything but the generated collector sources in _build.
GOFMT_FILES = $(shell find . -path ./$(BUILD_DIR) -prune -o -path ./.git -prune -o -type f -name '*.go' -print)

.PHONY: all
all: lint test

## collector: the ocb distribution, rebuilt only when a source above is newer than the binary.
.PHONY: collector
collector: $(COLLECTOR)

$(OCB):
	@echo "==> installing ocb $(OCB_VERSION) into $(BUILD_DIR)/bin"
	GOBIN=$(CURDIR)/$(BUILD_DIR)/bin $(GO) install go.opentelemetry.io/collector/cmd/builder@$(OCB_VERSION)

# ocb compiles silently for about 90 s from cold caches: a ticker prints the elapsed time. Its
# sleep does not hold our stdout, so callers reading the output are not kept waiting after the
# build. GOWORK=off: the generated module must resolve through its own go.mod only. flock, where
# available, keeps two builds (e.g. two test runs) from writing _build at the same time.
FLOCK := $(if $(shell command -v flock 2>/dev/null),flock $(BUILD_DIR)/.build.lock)
$(COLLECTOR): $(COLLECTOR_SRCS) | $(OCB)
	@echo "==> building $(COLLECTOR) with ocb $(OCB_VERSION) (cold caches: ~90 s; warm: seconds)"
	@start=$$(date +%s); \
	( while sleep 15 </dev/null >/dev/null 2>&1; do echo "    ... still building ($$(( $$(date +%s) - start )) s)"; done ) & ticker=$$!; \
	trap 'kill $$ticker 2>/dev/null || true' EXIT; \
	GOWORK=off GOTOOLCHAIN=$(SHIP_GO) $(FLOCK) $(OCB) --config builder-config.yaml; \
	touch $@; \
	echo "==> built $@ in $$(( $$(date +%s) - start )) s"

## test: one command for CI (.ci/run). The tidy check, the unit tests of every module (fuzz
## targets replay their seed corpora and committed regressions, nothing open-ended), then the
## end-to-end tests, which need the binary (their own `make collector` call is a no-op).
.PHONY: test
test: tidy-check lint $(COLLECTOR)
	@for m in $(TEST_MODULES); do \
		echo "==> unit tests of module $$m (race detector)"; \
		( cd $$m && CORPUS_SEED=$(CORPUS_SEED) $(GO) test -race -count=1 $$($(GO) list ./... | grep -v '/test/e2e$$') ) || exit 1; \
	done
	@echo "==> allocation tests without the race detector (under -race sync.Pool drops items)"
	$(GO) test -count=1 -run 'Alloc' . ./internal/...
	@echo "==> end-to-end test on $(COLLECTOR)"
	cd test && AUTHOBS_COLLECTOR=$(CURDIR)/$(COLLECTOR) AUTHOBS_OPERATOR_BUILD=1 AUTHOBS_CORPUS_SEED=$(CORPUS_SEED) $(GO) test -count=1 -timeout 10m $(E2E_PKG)

## recall: the secret corpus drawn from the whole gitleaks rule set with a FRESH seed (printed;
## replay with CORPUS_SEED=<seed>), through the processor in process and through the built
## collector on both routes. make test uses the fixed CORPUS_SEED so that CI is deterministic;
## a seed that finds a leak is kept as a regression seed of the recall test once fixed.
.PHONY: recall
recall: $(COLLECTOR)
	@seed=$${CORPUS_SEED_FRESH:-$$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}; echo "==> recall corpus seed $$seed"; \
	( cd internal/tools/gitleaks && CORPUS_SEED=$$seed $(GO) test -count=1 -run TestRecallThroughProcessor ./internal/corpus ) && \
	( cd test && AUTHOBS_COLLECTOR=$(CURDIR)/$(COLLECTOR) AUTHOBS_CORPUS_SEED=$$seed $(GO) test -count=1 -run TestRecallCorpusThroughCollector ./e2e )

## tidy-check: `go mod tidy` must change nothing in any module.
.PHONY: tidy-check
tidy-check:
	@for m in $(ALL_MODULES); do \
		( cd $$m && $(GO) mod tidy -diff >/dev/null ) || { echo "go mod tidy would change module $$m: run 'cd $$m && go mod tidy'"; exit 1; }; \
	done
	@echo "==> go mod tidy: clean in $(words $(ALL_MODULES)) modules"

## generate: mdatagen (a tool dependency of internal/tools/mdatagen, so it never enters our module
## graph; it names the generated test packages after the directory: rename them), then the
## detection catalogue from the pinned gitleaks rule set (internal/tools/gitleaks).
.PHONY: generate
generate:
	cd internal/tools/mdatagen && $(GO) tool mdatagen ../../../metadata.yaml
	sed -i 's/^package [[:alnum:]_]*$$/package authobsprocessor/' generated_component_test.go generated_package_test.go
	cd internal/tools/gitleaks && $(GO) run ./cmd/gencatalogue

## lint: gofmt must have nothing to say; go vet, staticcheck and golangci-lint (.golangci.yml)
## report nothing in any module; govulncheck, offline against the pinned vulnerability database,
## finds nothing reachable in the processor, the client or the distribution as built with
## $(SHIP_GO). The distribution is checked in source mode on ocb's generated module: its binary
## is stripped, and binary mode then reports whole modules (x/crypto, for an openpgp package the
## distribution never links). The linters are tool dependencies of their own modules under
## internal/tools, built into _build/bin on first use (golangci-lint builds from source:
## minutes from cold caches).
.PHONY: lint
lint: $(GOLANGCI_LINT) $(STATICCHECK) $(GOVULNCHECK) $(COLLECTOR)
	@out=$$(gofmt -l $(GOFMT_FILES)); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	@for m in $(LINT_MODULES); do \
		echo "==> go vet, staticcheck, golangci-lint in $$m"; \
		( cd $$m && $(GO) vet ./... && $(CURDIR)/$(STATICCHECK) ./... && \
		  $(CURDIR)/$(GOLANGCI_LINT) run --config $(CURDIR)/.golangci.yml ./... ) || exit 1; \
	done
	@db=$$(cd internal/tools/govulncheck && $(GO) mod download -json $(VULNDB) | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p'); \
	for m in . client client/openaimw; do \
		echo "==> govulncheck ($(SHIP_GO), offline) in $$m"; \
		( cd $$m && GOTOOLCHAIN=$(SHIP_GO) $(CURDIR)/$(GOVULNCHECK) -db file://$$db/data/osv ./... ) || exit 1; \
	done; \
	echo "==> govulncheck ($(SHIP_GO), offline) on the distribution's generated sources in $(BUILD_DIR)"; \
	cd $(BUILD_DIR) && GOWORK=off GOTOOLCHAIN=$(SHIP_GO) $(CURDIR)/$(GOVULNCHECK) -db file://$$db/data/osv ./...

$(GOLANGCI_LINT): internal/tools/golangci-lint/go.mod
	cd internal/tools/golangci-lint && $(GO) build -o $(CURDIR)/$@ github.com/golangci/golangci-lint/v2/cmd/golangci-lint

$(STATICCHECK): internal/tools/staticcheck/go.mod
	cd internal/tools/staticcheck && $(GO) build -o $(CURDIR)/$@ honnef.co/go/tools/cmd/staticcheck

$(GOVULNCHECK): internal/tools/govulncheck/go.mod
	cd internal/tools/govulncheck && $(GO) build -o $(CURDIR)/$@ golang.org/x/vuln/cmd/govulncheck

## demo: the whole loop on 127.0.0.1 (collector, mock API, client over every scenario) and
## a report; builds what it needs first. Exits non-zero on a leak or an unexpected outcome.
TOOLS := $(BUILD_DIR)/bin/authobs-mockapi $(BUILD_DIR)/bin/authobs-client $(BUILD_DIR)/bin/authobs-demo

.PHONY: tools
tools:
	@echo "==> building authobs-mockapi, authobs-client and authobs-demo"
	cd client && $(GO) build -o $(CURDIR)/$(BUILD_DIR)/bin/ ./cmd/authobs-client
	cd test && $(GO) build -o $(CURDIR)/$(BUILD_DIR)/bin/ ./cmd/authobs-mockapi ./cmd/authobs-demo

.PHONY: demo
demo: $(COLLECTOR) tools
	@echo "==> running the demo"
	$(BUILD_DIR)/bin/authobs-demo --collector $(COLLECTOR) --mockapi $(BUILD_DIR)/bin/authobs-mockapi \
		--client $(BUILD_DIR)/bin/authobs-client --config config/demo.yaml --dir _demo

## bench: bench/ (its own module) in one run: ns, bytes and allocs per span and per log record for
## authobs and the contrib redaction tools, ratios against redactionprocessor and the byte-walk
## floor, and the planted-secret leak table (bench/run.sh: interleaved rounds). Raw output
## (benchstat reads it) and the summary go to bench/results/. About 4 minutes on 2 cores.
.PHONY: bench
bench:
	bench/run.sh

.PHONY: clean
clean:
	rm -rf $(BUILD_DIR)

## fuzz: a campaign of FUZZTIME per native fuzz target, one after the other. A plain `go test`
## (so `make test`) already replays the seed corpora and every committed regression input; a
## campaign is open-ended, so it is not part of `make test`. It fails only when the fuzzer writes
## a reproducer (commit it under testdata/fuzz as a regression input); a non-zero exit without one
## (the Go fuzzer's known boundary flakes at the end of -fuzztime) is reported, not failed.
FUZZTIME ?= 15m
FUZZ_TARGETS := internal/redact:FuzzRedact internal/redact:FuzzRedactPlanted .:FuzzEvidence .:FuzzBatch
.PHONY: fuzz
fuzz:
	@for t in $(FUZZ_TARGETS); do scripts/fuzz-one.sh "$${t%%:*}" "$${t##*:}" "$(FUZZTIME)" || exit 1; done

## soak: several minutes of OTLP load on the binary, steady then with restarts (not in `test`);
## reports in test/soak/results/.
.PHONY: soak
soak: $(COLLECTOR)
	test/soak/run.sh
