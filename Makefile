# Everything runs from a local virtual environment that the first target builds, holding the
# versions the lock files in requirements/ pin (hash-checked); `make lock` refreshes them.
# The venv's interpreter: the first of these that is Python 3.11 or newer and makes a venv. The
# system's comes first: a distribution's build (Debian's: profile-guided and statically linked)
# ran the suite in 5-7% less CPU than pyenv's default build of 3.11.7 (a shared libpython) on this
# 2-core machine, and the monitor with it. `make PYTHON=python3.12` takes that one only.
PYTHONS := $(if $(PYTHON),$(PYTHON),/usr/bin/python3 python3)
VENV   := .venv
BIN    := $(VENV)/bin
UV_VERSION := 0.13.9
# `make lock` upgrades every pin to the newest release pyproject.toml's ranges allow;
# `make lock LOCK_FLAGS=` only re-resolves what changed (after adding a dependency, say).
LOCK_FLAGS ?= --upgrade
COMPILE = $(BIN)/uv pip compile pyproject.toml requirements/build.in --universal --python-version 3.11 \
          --generate-hashes --quiet --custom-compile-command "make lock" $(LOCK_FLAGS)

.PHONY: run test test-slow fuzz lint-imports typecheck bench lock clean chromium

# $(call install,LOCK): the venv gets what LOCK pins, then tuimarket itself (editable, with the
# lock's setuptools, so nothing is fetched unpinned).
define install
	test -x $(BIN)/python || for python in $(PYTHONS); do \
		$$python -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
		&& $$python -m venv --clear $(VENV) && break; done; \
		test -x $(BIN)/python || { echo "make: none of $(PYTHONS) is a Python 3.11 or newer that makes a venv" >&2; false; }
	$(BIN)/python -m pip install --quiet --require-hashes -r $(1)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@
endef

# The monitor's own dependencies: no test tools, no TA-Lib.
$(VENV)/.run-installed: requirements/run.txt pyproject.toml
	$(call install,requirements/run.txt)

$(VENV)/.test-installed: requirements/test.txt pyproject.toml
	$(call install,requirements/test.txt)

$(VENV)/.dev-installed: requirements/dev.txt pyproject.toml
	$(call install,requirements/dev.txt)

run: $(VENV)/.run-installed
	$(BIN)/tuimarket

# The test runs write bytecode even where PYTHONDONTWRITEBYTECODE is set (this CI machine sets
# it): otherwise every xdist worker rewrites the tests' asserts and every interpreter a test
# starts compiles tuimarket again (about 0.7 CPU-s each). __pycache__ is in .gitignore.
test test-slow: export PYTHONDONTWRITEBYTECODE =

# The suite people run: the layer contracts, then every test but the slow soak and stress runs
# and the tests that time or kill processes of their own, in two pytest-xdist workers a core (each
# test has its own cache and config dirs): a fifth of a test's time is spent waiting (for an idle
# app, a process, a timeout), which the other worker on that core fills. xdist's default dealing:
# work stealing (`--dist worksteal`) cost 350 CPU-s and 205 s of wall time against 314 CPU-s and
# 188 s (2-core machine, one run each). The type check runs beside the tests, its report printed
# after theirs: from a fresh clone's cold cache it takes 11 s of one core, which run first left
# the other core idle. Either failing fails the target.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) * 2 )))
test: lint-imports $(VENV)/.dev-installed
	$(BIN)/mypy > $(VENV)/typecheck.log 2>&1 & typecheck=$$!; \
	$(BIN)/python -m pytest -m "not slow and not processes" -n $(TEST_WORKERS); tests=$$?; \
	wait $$typecheck; typed=$$?; cat $(VENV)/typecheck.log; [ $$tests -eq 0 ] && [ $$typed -eq 0 ]

# The soak, stress and monkey runs and the process tests (a pty, signals, killed workers, several
# processes sharing a cache: timed, so run one at a time) that `make test` leaves out (CI runs
# both), and the property tests again with many more examples than `make test` draws. The same examples and the same
# monkey walk on every run (TUIMARKET_MONKEY_SEED picks another walk): a red run is the code's.
test-slow: $(VENV)/.test-installed
	TUIMARKET_MONKEY_SEED=$${TUIMARKET_MONKEY_SEED:-20261201} \
	$(BIN)/python -m pytest -m "slow or processes or hypothesis" --hypothesis-profile=thorough

# Hunting, not CI: the property tests with 200 examples each drawn from a random seed, then a
# monkey walk of 3,000 steps on a seed of its own. Both seeds are printed; `make fuzz SEED=N`
# draws the same examples again (`python tools/monkey.py --steps 3000 --seed N` replays a walk).
fuzz: $(VENV)/.test-installed
	@seed=$${SEED:-$$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}; echo "fuzz: hypothesis seed $$seed"; \
	$(BIN)/python -m pytest -m hypothesis --hypothesis-profile=fuzz --hypothesis-seed=$$seed \
	  || { echo "fuzz: failed on hypothesis seed $$seed (make fuzz SEED=$$seed draws the same examples)"; exit 1; }
	$(BIN)/python tools/monkey.py --steps 3000

lint-imports: $(VENV)/.test-installed
	$(BIN)/lint-imports

# mypy over src/, strict on analysis/ and data/ (see [tool.mypy] in pyproject.toml): about 10 s
# from a cold cache, under 1 s after.
typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy

# The benchmarks hold the analysis against TA-Lib, so they need the test lock.
bench: $(VENV)/.test-installed
	$(BIN)/python bench/run.py

lock: $(VENV)/.run-installed
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	$(COMPILE) --extra test -o requirements/test.txt
	$(COMPILE) --constraint requirements/test.txt -o requirements/run.txt
	$(COMPILE) --extra dev --constraint requirements/test.txt -o requirements/dev.txt

# The browser test's Chromium (tests/test_serve.py, which skips without it): Debian's package, since
# Playwright's own browser download is not used. apt-get needs root; CI (.ci/run) calls this.
chromium:
	test -x /usr/bin/chromium || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .import_linter_cache .mypy_cache
