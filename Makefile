# SpikeLoop front door. `make demo` and `make test` work on a fresh Debian machine with the Swift toolchain.
SHELL := /bin/bash
SWIFT ?= swift
# Fast code on this CPU (FMA, AVX-512). Binaries built this way are not portable; a plain
# `swift build` (generic x86-64) stays correct.
NATIVE_FLAGS ?= -Xswiftc -target-cpu -Xswiftc native
RELEASE := $(SWIFT) build -c release $(NATIVE_FLAGS)
BIN := .build/release/spikeloop
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := libopenblas-dev zlib1g-dev libhdf5-dev libfftw3-dev libisal-dev espeak-ng pkg-config
DEMO_PACKAGES := dataset-fashion-mnist
# `make demo`: the paper's central result on Fashion-MNIST (RESULTS.md §3 protocol, one chip): train in software,
# copy the weights onto emulated chip DEMO_CHIP decalibrated by DEMO_SIGMA, then train DEMO_LOOP_EPOCHS in the loop
# on that chip. `make demo-software`: DEMO_EPOCHS of software training only.
DEMO_SOFTWARE_EPOCHS ?= 30
DEMO_LOOP_EPOCHS ?= 5
DEMO_CHIP ?= 3
DEMO_SIGMA ?= 0.3
DEMO_EPOCHS ?= 20
BENCH_ARGS ?=
ARGS ?= --help
# `make install`: /usr/local as root, else ~/.local (its bin/ is on PATH in most shells); PREFIX=… to choose.
PREFIX ?= $(shell [ "$$(id -u)" = 0 ] && echo /usr/local || echo $$HOME/.local)

# `pip install ./python` builds libSpikeLoopC.so (release, these NATIVE_FLAGS, so it shares .build/release with
# `make build`) and installs the `spikeloop` Python package; scripts/build-wheel.sh builds a portable wheel.
.PHONY: deps demo-deps build install test test-python demo demo-software bench run check-report clean

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; fi

demo-deps: deps
	@dpkg -s $(DEMO_PACKAGES) >/dev/null 2>&1 || { echo "installing: $(DEMO_PACKAGES)"; $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(DEMO_PACKAGES); }

build: deps
	$(RELEASE)

# The release binary into $(PREFIX)/bin, and the commit it was built from into $(PREFIX)/share/spikeloop/commit
# (an installed binary has no repository around it to ask; `spikeloop --version` and run records read it).
install: build
	install -d "$(PREFIX)/bin" "$(PREFIX)/share/spikeloop"
	install -m 755 $(BIN) "$(PREFIX)/bin/spikeloop"
	@{ git rev-parse HEAD 2>/dev/null || echo unknown; } | tr -d '\n' > "$(PREFIX)/share/spikeloop/commit"
	@git diff --quiet HEAD -- 2>/dev/null || printf -- '-dirty' >> "$(PREFIX)/share/spikeloop/commit"
	@echo "installed $(PREFIX)/bin/spikeloop ($$("$(PREFIX)/bin/spikeloop" --version))"
	@case ":$$PATH:" in *":$(PREFIX)/bin:"*) ;; *) echo "note: $(PREFIX)/bin is not on PATH; add it: export PATH=\"$(PREFIX)/bin:\$$PATH\"" ;; esac

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	@$(MAKE) --no-print-directory test-python
	scripts/test-mpi.sh .build/debug/spikeloop

# The Python package's tests, against the debug libSpikeLoopC.so that `swift build --build-tests` built (no install
# needed). Skipped with a message when python3, numpy or pytest is missing; torch tests skip without torch.
test-python:
	@if python3 -c 'import numpy, pytest' 2>/dev/null; then \
	  SPIKELOOP_LIBRARY=$(CURDIR)/.build/debug/libSpikeLoopC.so PYTHONPATH=$(CURDIR)/python python3 -m pytest -q python/tests; \
	else echo "skipping the Python tests: python3 with numpy and pytest not found (pip install numpy pytest)"; fi

# Ends with the report's path and one line: in-the-loop vs copied-from-software accuracy on the same chip.
demo: demo-deps build
	@echo "make demo: train Fashion-MNIST in software, copy the weights onto emulated chip $(DEMO_CHIP) decalibrated by" \
	  "sigma_d $(DEMO_SIGMA), and train $(DEMO_LOOP_EPOCHS) epochs in the loop on that same chip (Cramer et al. 2022)"
	$(BIN) experiment mismatch --dataset fashion-mnist --config configs/images-tuned.yaml \
	  --sigmas $(DEMO_SIGMA) --chips $(DEMO_CHIP) --software-epochs $(DEMO_SOFTWARE_EPOCHS) \
	  --loop-epochs $(DEMO_LOOP_EPOCHS) --out runs/demo-$$(date +%Y%m%d-%H%M%S)

demo-software: demo-deps build
	$(BIN) train --dataset fashion-mnist --epochs $(DEMO_EPOCHS) --run-dir runs/demo-software-$$(date +%Y%m%d-%H%M%S)

bench: build
	$(BIN) bench $(BENCH_ARGS)

run: build
	$(BIN) $(ARGS)

# Renders reports in headless Chromium (Debian) and checks the screenshots. Without REPORT: trains a small software
# run and a small chip run and checks both (runs/check-report/software.png, chip.png); with REPORT=runs/.../report.html
# that report only.
check-report: $(if $(REPORT),,demo-deps build)
	bash scripts/check-report.sh $(REPORT)

clean:
	rm -rf .build
