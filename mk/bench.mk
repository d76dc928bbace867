# make bench: the performance benchmark (bench/), offline on the 18-region fixture, in about a minute.
# Prints the table; RECORD=1 also writes bench/results.json (the figures docs/performance.md quotes), else
# the figures go to a file outside the repository, so a run leaves no tracked file modified.
# BENCH_ARGS=--quick for a smoke run that writes nothing.
# make bench-profile WHAT=warm|cold|refresh [ROUTE=1..7]: cProfile (and -X importtime) of one figure.
BENCH_ARGS ?=
RECORD ?=
BENCH_OUTPUT ?= $(if $(RECORD),bench/results.json,$(or $(TMPDIR),/tmp)/bedrock-model-catalog-bench.json)
WHAT ?= cold
ROUTE ?= 1

.PHONY: bench bench-profile

bench: $(STAMP) ## the benchmark: prints its figures (RECORD=1 writes bench/results.json)
	PYTHONPATH=layers/catalog:. $(BIN)/python -m bench --output $(BENCH_OUTPUT) $(BENCH_ARGS)

bench-profile: $(STAMP) ## cProfile of one benchmark figure (WHAT=warm|cold|refresh ROUTE=1..7)
	PYTHONPATH=layers/catalog:. $(BIN)/python -m bench.profile $(WHAT) $(ROUTE)
