# copydesk: the two commands README promises, plus benchmarks and checks.

CARGO ?= cargo
ARTICLES ?= 200000

.PHONY: run test check bench bench-peers fmt clippy

## Build and scan the sample articles.
run:
	$(CARGO) run --release --quiet -- scan samples/ --format text

## Every test: unit, property, integration (CLI) and doc tests.
test:
	$(CARGO) test --release

## What CI checks besides the tests.
check:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings
	$(CARGO) bench --no-run

## Criterion benches of each stage, then a whole scan of a synthetic corpus of
## $(ARTICLES) articles with planted copies: MB/s per core, stage times, peak
## memory per article, recall of the planted copies.
bench:
	$(CARGO) bench --bench pipeline -- --warm-up-time 1 --measurement-time 3
	$(CARGO) run --release --quiet --example throughput -- $(ARTICLES)

## datasketch and gaoya on the same corpus, same parameters, one core each.
bench-peers:
	python3 benches/peers.py 20000
