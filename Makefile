# authobs: the authobs collector processor and its otelcol-authobs distribution.
#
#   make demo        build what it needs, run the whole loop on 127.0.0.1, print a report
#   make collector   build _build/otelcol-authobs with ocb (ocb itself is installed on first use)
#   make test        unit tests with the race detector, then the end-to-end test on the binary
#   make lint        gofmt and go vet
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
E2E_PKG := ./test/e2e

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
	GOWORK=off $(FLOCK) $(OCB) --config builder-config.yaml; \
	touch $@; \
	echo "==> built $@ in $$(( $$(date +%s) - start )) s"

## test: one command for CI (.ci/run). Unit tests first, then each fuzz target briefly, then
## the end-to-end tests, which need the binary (their own `make collector` call is a no-op).
.PHONY: test
test: $(COLLECTOR)
	@echo "==> unit tests (race detector)"
	$(GO) test -race -count=1 $$($(GO) list ./... | grep -v '/test/e2e$$')
	@echo "==> fuzz targets, briefly (FUZZTIME=$(FUZZTIME) each)"
	$(MAKE) --no-print-directory fuzz-short
	@echo "==> end-to-end test on $(COLLECTOR)"
	AUTHOBS_COLLECTOR=$(CURDIR)/$(COLLECTOR) $(GO) test -count=1 -timeout 5m $(E2E_PKG)

## generate: mdatagen (a tool dependency of internal/tools, so it never enters our module graph).
## mdatagen names the generated test packages after the directory; rename them.
.PHONY: generate
generate:
	cd internal/tools && $(GO) tool mdatagen ../../metadata.yaml
	sed -i 's/^package [[:alnum:]_]*$$/package authobsprocessor/' generated_component_test.go generated_package_test.go

## lint: gofmt must have nothing to say; go vet on every package.
.PHONY: lint
lint:
	@out=$$(gofmt -l $(GOFMT_FILES)); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

## demo: the whole loop on 127.0.0.1 (collector, mock API, client over every scenario) and
## a report; builds what it needs first. Exits non-zero on a leak or an unexpected outcome.
TOOLS := $(BUILD_DIR)/bin/authobs-mockapi $(BUILD_DIR)/bin/authobs-client $(BUILD_DIR)/bin/authobs-demo

.PHONY: tools
tools:
	@echo "==> building authobs-mockapi, authobs-client and authobs-demo"
	$(GO) build -o $(BUILD_DIR)/bin/ ./cmd/authobs-mockapi ./cmd/authobs-client ./cmd/authobs-demo

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

## fuzz-short: each native fuzz target briefly (FUZZTIME each, default 10s); the seed corpora
## and testdata/fuzz regressions also run in every plain `go test`.
FUZZTIME ?= 10s
.PHONY: fuzz-short
fuzz-short:
	$(GO) test -run='^$$' -fuzz='^FuzzRedact$$' -fuzztime=$(FUZZTIME) ./internal/redact
	$(GO) test -run='^$$' -fuzz='^FuzzRedactPlanted$$' -fuzztime=$(FUZZTIME) ./internal/redact
	$(GO) test -run='^$$' -fuzz='^FuzzEvidence$$' -fuzztime=$(FUZZTIME) .
	$(GO) test -run='^$$' -fuzz='^FuzzBatch$$' -fuzztime=$(FUZZTIME) .

## soak: several minutes of OTLP load on the binary, steady then with restarts (not in `test`);
## reports in test/soak/results/.
.PHONY: soak
soak: $(COLLECTOR)
	test/soak/run.sh
