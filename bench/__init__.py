"""The performance benchmark (``make bench``): every figure is a ratio to a floor measured in the same
run, on the 18-region fixture, offline. ``python -m bench`` prints the table and writes
``bench/results.json``; ``python -m bench.profile`` profiles one scenario."""
