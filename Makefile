# Two entry points on a fresh machine with only python3: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install clean score bench

# compileall: bytecode up front, as a wheel install compiles it; where
# PYTHONDONTWRITEBYTECODE is set, every start compiled the package again (~0.06 s of 0.5 s)
$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	$(BIN)/python -m compileall -q pipeline > /dev/null
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/zongjie extract corpus/raw -o corpus/facts.jsonl --summary

test: $(STAMP)
	$(BIN)/python -m pytest

# The dev-gold figures quoted in the README, on both gold sets (needs ../shared).
score: $(STAMP)
	$(BIN)/zongjie extract ../shared/seeds -o /tmp/zongjie-seeds.jsonl
	$(BIN)/python ../shared/eval/score.py --pred /tmp/zongjie-seeds.jsonl --gold ../shared/gold --texts ../shared/seeds
	$(BIN)/zongjie extract ../shared/real/texts -o /tmp/zongjie-real.jsonl
	$(BIN)/python ../shared/eval/score.py --pred /tmp/zongjie-real.jsonl --gold ../shared/real/gold --texts ../shared/real/texts

# Throughput and memory beside jionlp (see benchmarks/run.py); not part of the tests.
bench: $(STAMP)
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build *.egg-info
