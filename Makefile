# Bootstrap a virtualenv and run stormproof from it. Everything a newcomer needs
# is behind two targets: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo chaos test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The main job on the bundled example. The naive travel system is full of the
# failure modes stormproof exists to catch, so findings (exit 1) are the point.
demo: $(STAMP)
	$(BIN)/stormproof check examples/travel/naive; status=$$?; \
	  if [ $$status -eq 1 ]; then echo "(exit 1: findings, as expected for the naive example)"; \
	  else exit $$status; fi

# The naive system under faults: it breaks its invariants, so exit 1 is the point here too.
chaos: $(STAMP)
	$(BIN)/stormproof chaos examples/travel/naive --seed 1; status=$$?; \
	  if [ $$status -eq 1 ]; then echo "(exit 1: invariants violated, as expected for the naive example)"; \
	  else exit $$status; fi

# pytest exits 5 when it collected no test: that is a failure too.
test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/check_speed.py

clean:
	rm -rf $(VENV) .stormproof/cache .pytest_cache
