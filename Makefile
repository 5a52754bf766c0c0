# convplay's whole toolchain. Each recipe is a command a reader could type.
# `make serve` builds everything and serves the playground; `make test` runs every test.

GOROOT   := $(shell go env GOROOT)
WASM_ENV := GOOS=js GOARCH=wasm PATH="$(GOROOT)/lib/wasm:$$PATH"

.PHONY: all test test-go test-wasm bench bench-wasm fuzz vet

all: test

## test: every test (host Go, the engine under WebAssembly in Node).
test: vet test-go test-wasm

vet:
	go vet ./...
	@test -z "$$(gofmt -l .)" || (echo "gofmt would change:"; gofmt -l .; exit 1)

test-go:
	go test ./...

# The engine's tests again, compiled to WebAssembly and run by Node through
# Go's go_js_wasm_exec, so the browser build is tested too.
test-wasm:
	$(WASM_ENV) go test ./nn/...

## bench: the engine's benchmarks, natively on 1 core and on all cores, and under WebAssembly.
bench:
	go test -run '^$$' -bench . -benchmem -cpu 1,$$(nproc) ./nn/
	$(MAKE) bench-wasm

bench-wasm:
	$(WASM_ENV) go test -run '^$$' -bench . -benchmem ./nn/

## fuzz: run each decoder's fuzz target for FUZZTIME (default 30s).
FUZZTIME ?= 30s
fuzz:
	@for pkg in $$(go list ./...); do \
	  for f in $$(go test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$f"; go test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done
