# Bootstrap a virtualenv and run stormproof from it. Everything a newcomer needs
# is behind two targets: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo check-demo chaos test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The main job on the bundled example, twice: the naive travel system (written the way an
# assistant writes one when nobody asks for resilience) and the hardened one (the same five
# services rebuilt on stormproof.kit). The naive one must fail (exit 1: findings, broken
# invariants) and the hardened one must pass; anything else fails the target.
demo: check-demo chaos

check-demo: $(STAMP)
	@echo "== stormproof check examples/travel/naive: findings expected =="
	$(BIN)/stormproof check examples/travel/naive; test $$? -eq 1
	@echo "== stormproof check examples/travel/hardened: nothing to report =="
	$(BIN)/stormproof check examples/travel/hardened

# The same workload and faults on both (about 45 s each).
chaos: $(STAMP)
	@echo "== stormproof chaos examples/travel/naive --seed 1: invariants broken =="
	$(BIN)/stormproof chaos examples/travel/naive --seed 1; test $$? -eq 1
	@echo "== stormproof chaos examples/travel/hardened --seed 1: every invariant holds =="
	$(BIN)/stormproof chaos examples/travel/hardened --seed 1

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
