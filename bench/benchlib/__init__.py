"""The benchmark driver behind bench/run, one module per concern."""
