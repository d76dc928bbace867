# make bench: the performance benchmark (bench/), offline on the 18-region fixture. Prints the table and
# writes bench/results.json; BENCH_ARGS=--quick for a smoke run.
BENCH_ARGS ?=

bench: $(STAMP)
	PYTHONPATH=layers/catalog:. $(BIN)/python -m bench $(BENCH_ARGS)
