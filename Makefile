# SpikeLoop front door. `make demo` and `make test` work on a fresh Debian machine with the Swift toolchain.
SHELL := /bin/bash
SWIFT ?= swift
# Fast code on this CPU (FMA, AVX-512). Binaries built this way are not portable; a plain
# `swift build` (generic x86-64) stays correct.
NATIVE_FLAGS ?= -Xswiftc -target-cpu -Xswiftc native
RELEASE := $(SWIFT) build -c release $(NATIVE_FLAGS)
BIN := .build/release/spikeloop
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := libopenblas-dev zlib1g-dev libhdf5-dev libfftw3-dev espeak-ng pkg-config
DEMO_PACKAGES := dataset-fashion-mnist
DEMO_EPOCHS ?= 20
BENCH_ARGS ?=
ARGS ?= --help

.PHONY: deps demo-deps build test demo bench run check-report clean

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; fi

demo-deps: deps
	@dpkg -s $(DEMO_PACKAGES) >/dev/null 2>&1 || { echo "installing: $(DEMO_PACKAGES)"; $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(DEMO_PACKAGES); }

build: deps
	$(RELEASE)

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

demo: demo-deps build
	$(BIN) train --dataset fashion-mnist --epochs $(DEMO_EPOCHS) --run-dir runs/demo-$$(date +%Y%m%d-%H%M%S)

bench: build
	$(BIN) bench $(BENCH_ARGS)

run: build
	$(BIN) $(ARGS)

# Renders a run report in headless Chromium (Debian) and checks the screenshot: make check-report REPORT=runs/.../report.html
check-report:
	bash scripts/check-report.sh $(REPORT)

clean:
	rm -rf .build
