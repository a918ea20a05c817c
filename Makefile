# The README's two commands: `make demo` and `make test`. Both build .venv themselves.
VENV   ?= .venv
PYTHON ?= $(shell command -v python3.11 || command -v python3)
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test lint typecheck unit bench clean lock image

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "scnet-bot needs Python >= 3.11 (found $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/scnet-bot demo

lint: $(STAMP)
	$(BIN)/ruff check bot tests bench
	$(BIN)/ruff format --check bot tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q

test: lint typecheck unit

# The image's pinned, hashed dependencies, from pyproject's ranges (and its build backend).
# Run after changing a dependency (LOCK_FLAGS=--upgrade moves every pin to the newest allowed)
# and commit the result. Only PyPI is asked: local pip config and find-links are ignored.
lock: $(STAMP)
	env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null $(BIN)/pip-compile --quiet $(LOCK_FLAGS) \
		--generate-hashes --strip-extras --allow-unsafe --all-build-deps --no-emit-index-url \
		--output-file deploy/requirements.lock pyproject.toml

# Build deploy/Dockerfile and check the container for real (podman or docker).
image: $(STAMP)
	scripts/test-image

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
