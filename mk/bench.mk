# make bench: the performance benchmark (bench/), offline on the 18-region fixture, in about a minute.
# Prints the table and writes bench/results.json; BENCH_ARGS=--quick for a smoke run that writes nothing.
# make bench-profile WHAT=warm|cold|refresh [ROUTE=1..7]: cProfile (and -X importtime) of one figure.
BENCH_ARGS ?=
WHAT ?= cold
ROUTE ?= 1

.PHONY: bench-profile

bench: $(STAMP)
	PYTHONPATH=layers/catalog:. $(BIN)/python -m bench $(BENCH_ARGS)

bench-profile: $(STAMP)
	PYTHONPATH=layers/catalog:. $(BIN)/python -m bench.profile $(WHAT) $(ROUTE)
