"""One module per workload. Each exposes ``run(impl, params) -> dict`` and is
executed by benchmarks.worker inside the interpreter of the implementation
under test, so the same code measures every library that offers the API."""
