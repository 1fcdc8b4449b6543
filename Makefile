# Sweep: `make run` starts everything on this machine; `make test` runs the whole suite with real services.
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help deps build run stop test bench clean

help:
	@echo "make run    - install what is missing, build, start PostgreSQL, the worker, the scheduler and nginx"
	@echo "make stop   - stop everything 'make run' started"
	@echo "make test   - the whole suite: unit tests and integration tests against real services"
	@echo "make bench  - throughput, latency and SSE benchmarks on a private stack"

deps:
	@scripts/install-deps.sh

build: deps
	swift build -c release

run:
	@scripts/run.sh

stop:
	@scripts/stop.sh

test:
	@scripts/test.sh

bench:
	@scripts/bench.sh

clean:
	rm -rf .build .run .test-output
