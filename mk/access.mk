# make bench-access: what the account access check costs a refresh (bench/access.py prints its table).
.PHONY: bench-access

bench-access: $(STAMP) ## what the account access check costs a refresh (bench/access.py)
	PYTHONPATH=layers/catalog:. $(BIN)/python -m bench.access $(BENCH_ARGS)
