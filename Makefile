# copydesk: the two commands README promises, plus benchmarks and checks.

CARGO ?= cargo
ARTICLES ?= 200000
PEER_ARTICLES ?= 20000

SHOTS := target/tmp

.PHONY: screenshots run check-self test test-python test-spark bench-spark python-env wheel test-crash test-parity check bench bench-check bench-peers bench-report bench-edges bench-index eval fuzz browser report

## copydesk check on its own fixture: the known finding fails (exit 1),
## and passes against the fixture's baseline.
check-self:
	$(CARGO) build --release --quiet
	cd tests/fixtures/check && { ../../../target/release/copydesk check corpus --no-cache; \
	  code=$$?; [ $$code -eq 1 ] || { echo "expected exit 1 on the known finding, got $$code"; exit 1; }; }
	cd tests/fixtures/check && ../../../target/release/copydesk check corpus --no-cache --baseline baseline.json

## Build and scan the sample articles.
run:
	$(CARGO) run --release --quiet -- scan samples/ --format text

## Every test: unit, property, integration (CLI), browser and doc tests,
## then the Python package's.
test: browser
	$(CARGO) test --release
	$(MAKE) test-python

## The Python package: a virtualenv in target/venv with maturin and the test
## tools, the abi3 wheel built and installed, then its type check (mypy
## --strict), its doctests and its tests, against the installed wheel.
VENV := target/venv
PY := $(VENV)/bin
python-env:
	@test -x $(PY)/python || python3 -m venv $(VENV)
	$(PY)/pip install --quiet --upgrade pip
	$(PY)/pip install --quiet "maturin>=1.7,<2" "pyarrow>=14" pandas pytest mypy pandas-stubs pyarrow-stubs \
		"pysail>=0.7,<0.8" "pyspark-client>=4.0,<4.3"

wheel: python-env
	rm -rf target/wheels
	$(PY)/maturin build --release --quiet -m python/Cargo.toml -o target/wheels
	$(PY)/pip install --quiet --force-reinstall --no-deps target/wheels/copydesk-*.whl

test-python: wheel
	cd python && ../$(PY)/mypy
	cd python && ../$(PY)/pytest -q -p no:cacheprovider --doctest-modules --pyargs copydesk
	cd python && ../$(PY)/pytest -q -p no:cacheprovider tests

## The Spark job's cost on each engine (Sail, PySpark local[2]), per stage,
## against copydesk scan on the same synthetic news (SPARK_ARTICLES).
SPARK_ARTICLES ?= 100000
SPARK_VENV := target/spark-venv
bench-spark: wheel
	$(CARGO) build --release --example throughput --bin copydesk
	@test -x $(SPARK_VENV)/bin/python || $(MAKE) test-spark
	$(PY)/python benches/spark.py $(SPARK_ARTICLES) sail,local

## The Spark job's tests on real PySpark (local[2], bound to 127.0.0.1, on
## the machine's Java 17) instead of Sail; PySpark cannot share a
## virtualenv with the Spark Connect client, so it has its own.
test-spark: wheel
	@test -x $(SPARK_VENV)/bin/python || python3 -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/pip install --quiet "pyspark[connect]>=4.0,<4.3" "pysail>=0.7,<0.8" "pyarrow>=14" pandas pytest
	$(SPARK_VENV)/bin/pip install --quiet --force-reinstall --no-deps target/wheels/copydesk-*.whl
	cd python/tests && COPYDESK_SPARK=local SPARK_LOCAL_IP=127.0.0.1 PYSPARK_PYTHON=$(abspath $(SPARK_VENV))/bin/python \
		../../$(SPARK_VENV)/bin/pytest -q -p no:cacheprovider test_spark.py

## The feed index's crash test with 50 kills instead of the default 10.
test-crash:
	COPYDESK_CRASH_TRIALS=50 $(CARGO) test --release --test crash

## The feed index's parity with scan, with 20,000 synthetic articles in
## batches of 1 as well (the default tests run 1,000, 100 and 10).
test-parity:
	COPYDESK_PARITY_SINGLES=1 $(CARGO) test --release --test parity -- --nocapture

## Headless Chromium for the report's browser tests (Debian's package).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

## The editor report of the samples, as target/report.html.
report:
	$(CARGO) run --release --quiet -- report samples/feed.jsonl -o target/report.html

## README's screenshots, taken by the browser tests and copied to docs/.
screenshots: browser
	$(CARGO) test --release --test report_browser -- seed_report_in_a_browser large_corpus_report_stays_small
	cp $(SHOTS)/report-seeds.png $(SHOTS)/report-helsinki.png docs/

## What CI checks besides the tests.
check:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings
	$(CARGO) clippy -p copydesk-python -- -D warnings
	$(CARGO) bench --no-run

## Criterion benches of each stage, then a whole scan of a synthetic corpus of
## $(ARTICLES) articles with planted copies: MB/s per core, stage times, peak
## memory per article, recall of the planted copies.
bench: bench-check
	$(CARGO) bench --bench pipeline -- --warm-up-time 1 --measurement-time 3
	$(CARGO) run --profile dist --quiet --example throughput -- $(ARTICLES)

## `copydesk check` over CHECK_FILES synthetic files: the first run, an
## unchanged re-run (answered by the cache), and a run after ten files
## changed.
CHECK_FILES ?= 20000
bench-check:
	$(CARGO) build --release --quiet
	$(CARGO) run --release --quiet --example check_bench -- $(CHECK_FILES)

## Each hostile input (one 200 MB line, one word repeated 10 million times,
## unspaced script, no sentence stops, 100,000-word sentences, identical
## paragraphs, all quotation marks, HTML nested 100,000 deep, unclosed <p>)
## against normal news of the same size, one thread: the bar is a third of
## normal news's speed for every case.
EDGE_MB ?= 200
bench-edges:
	$(CARGO) run --release --quiet --example edges -- $(EDGE_MB) 3

## The feed index: INDEX_ARTICLES synthetic articles archived in batches of
## INDEX_BATCH; time per batch as the archive grows, bytes per article,
## rows per table, peak memory.
INDEX_ARTICLES ?= 1000000
INDEX_BATCH ?= 10000
INDEX_FLAGS ?=
## Planted copies of real news (Reuters-21578, from ../shared/corpora) with
## byte-exact truth: per edit operation, with and without dates, link
## recall/precision, passage precision/recall, directions decided and right,
## and the clusters' adjusted Rand index. EVAL_ORIGINALS articles (2000).
EVAL_CORPUS ?= ../shared/corpora/reuters-21578.jsonl
EVAL_ORIGINALS ?= 2000
eval:
	$(CARGO) run --release --quiet --example eval -- $(EVAL_CORPUS) $(EVAL_ORIGINALS)

bench-index:
	$(CARGO) run --release --quiet --example index_bench -- $(INDEX_ARTICLES) $(INDEX_BATCH) $(INDEX_FLAGS)

## Coverage-guided fuzzing (cargo-fuzz, libFuzzer): each target for
## FUZZ_SECONDS. The stable toolchain builds it with RUSTC_BOOTSTRAP=1 (the
## sanitizer flag is unstable). A crash lands in fuzz/artifacts/TARGET/:
## copy it to fuzz/regressions/TARGET/ and `make test` replays it for ever.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= jsonl html normalize align scan
fuzz:
	@command -v cargo-fuzz >/dev/null 2>&1 || $(CARGO) install cargo-fuzz --locked
	cd fuzz && for t in $(FUZZ_TARGETS); do \
	  mkdir -p corpus/$$t && cp regressions/$$t/* corpus/$$t/ && \
	  RUSTC_BOOTSTRAP=1 $(CARGO) fuzz run -O $$t corpus/$$t -- -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=4096 || exit 1; \
	done

## copydesk end to end against gaoya, rensa and datasketch (their minimal
## job with copydesk's parameters), one core each, on Reuters and
## PEER_ARTICLES synthetic news; and the default scan on pair-dense corpora.
bench-peers:
	python3 benches/peers.py $(PEER_ARTICLES)

## The report of the Helsinki corpus (when ../shared/corpora is present):
## its size, and the time headless Chromium takes to open it (about 0.7 s of
## which is the browser starting).
bench-report: browser
	$(CARGO) build --release --quiet
	./target/release/copydesk report ../shared/corpora/helsinki-summit-2018.jsonl -o target/helsinki-report.html
	@ls -l target/helsinki-report.html
	@for i in 1 2 3; do /usr/bin/time -f "opened in %e s" chromium --headless --no-sandbox --disable-gpu \
	  --disable-background-networking --disable-component-update --disable-sync --no-first-run \
	  --user-data-dir=target/chromium-profile --dump-dom file://$(CURDIR)/target/helsinki-report.html >/dev/null; done
