# Set-up is two commands on a fresh machine: `make demo` and `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install samples bench clean

$(STAMP): pyproject.toml scripts/install.sh
	VENV=$(VENV) PY=$(PY) bash scripts/install.sh
	touch $(STAMP)

install: $(STAMP)

# Runs the main job on the bundled samples.
demo: $(STAMP)
	$(BIN)/treaty extract corpora/samples --out out/samples
	@echo "JSON written to out/samples/ (one file per sample agreement)"

# Runs the tests, the slow ones (real model) included: what .ci/run calls.
# scripts/install-system.sh first installs the Debian packages tests need
# (chromium for the HTML report, tesseract for OCR).
# A plain `pytest` skips the slow ones and stays under a minute.
test: $(STAMP)
	bash scripts/install-system.sh
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest --slow

samples: $(STAMP)
	$(BIN)/python scripts/make_samples.py

bench: $(STAMP)
	$(BIN)/python benchmarks/ingest_speed.py
	$(BIN)/python benchmarks/classify_speed.py
	$(BIN)/python benchmarks/train_speed.py
	$(BIN)/python benchmarks/ray_speed.py

clean:
	rm -rf out .pytest_cache
