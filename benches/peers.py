#!/usr/bin/env python3
"""`make bench-peers`: copydesk against datasketch and gaoya on one corpus.

Installs datasketch and gaoya with pip into a throwaway virtualenv, writes a
synthetic corpus with copydesk's generator, and times each tool signing it
with the same parameters (5-word shingles, 128 hashes, 25 bands of 5 rows)
on one core, in the same run, then prints the ratios.

The tools take turns for ROUNDS rounds (default 3), copydesk in a fresh
process each time, and the medians are printed with their ranges: on a shared
machine one run can be a third off, and a ratio taken within each round
cancels most of what the machine's load does to both.

Usage: [ROUNDS=3] python3 benches/peers.py [ARTICLES]   (default 20000)
"""
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import venv

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARTICLES = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
ROUNDS = max(1, int(os.environ.get("ROUNDS", "3")))

PEER_SCRIPT = r'''
import json, re, sys, time
path, which = sys.argv[1], sys.argv[2]
texts = [json.loads(l)["text"] for l in open(path, encoding="utf-8")]
mb = sum(len(t.encode()) for t in texts) / 1e6
word = re.compile(r"\w+")
if which == "datasketch":
    from datasketch import MinHash
    t = time.perf_counter()
    for text in texts:
        toks = word.findall(text.lower())
        shingles = [" ".join(toks[i:i + 5]).encode() for i in range(max(1, len(toks) - 4))]
        m = MinHash(num_perm=128)
        m.update_batch(shingles)
    secs = time.perf_counter() - t
else:
    from gaoya.minhash import MinHashStringIndex
    index = MinHashStringIndex(hash_size=32, jaccard_threshold=0.5, num_bands=25, band_size=5,
                               analyzer="word", lowercase=True, ngram_range=(5, 5))
    t = time.perf_counter()
    index.par_bulk_insert_docs(list(range(len(texts))), texts)
    secs = time.perf_counter() - t
print(json.dumps({"mb": mb, "seconds": secs, "mb_per_s": mb / secs}))
'''


def run(cmd, env=None):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout


def main():
    one_core = dict(os.environ, RAYON_NUM_THREADS="1")
    with tempfile.TemporaryDirectory() as tmp:
        print(f"setting up a virtualenv with datasketch and gaoya in {tmp} ...", flush=True)
        venv.create(os.path.join(tmp, "venv"), with_pip=True)
        py = os.path.join(tmp, "venv", "bin", "python")
        run([py, "-m", "pip", "install", "-q", "datasketch", "gaoya"])
        corpus = os.path.join(tmp, "corpus.jsonl")
        run(["cargo", "build", "--release", "--quiet", "--example", "throughput"])
        tool = os.path.join(ROOT, "target", "release", "examples", "throughput")
        script = os.path.join(tmp, "peer.py")
        with open(script, "w") as f:
            f.write(PEER_SCRIPT)
        runs = {name: [] for name in ["datasketch", "gaoya", "sign", "document", "scan", "document/gaoya"]}
        for turn in range(ROUNDS):
            # The generator is seeded: every round scans the same corpus.
            out = run([tool, str(ARTICLES)] + (["--write", corpus] if turn == 0 else []), env=one_core)
            rate = lambda label: float(re.search(label + r":\s+(\d+) MB/s", out).group(1))
            runs["sign"].append(rate(r"shingling\+MinHash"))
            runs["document"].append(rate(r"document-level scan \(--no-rewrites\)"))
            runs["scan"].append(rate(r"whole scan"))
            for which in ["datasketch", "gaoya"]:
                result = json.loads(run([py, script, corpus, which], env=one_core))
                runs[which].append(result["mb_per_s"])
                mb = result["mb"]
            runs["document/gaoya"].append(runs["document"][-1] / runs["gaoya"][-1])
        median = {name: statistics.median(values) for name, values in runs.items()}
        spread = lambda name: f"{min(runs[name]):.1f}-{max(runs[name]):.1f}"
        print(f"\ncorpus: {ARTICLES} articles, {mb:.1f} MB; one core each; 5-word shingles, 128 hashes")
        print(f"medians of {ROUNDS} rounds (range in brackets)")
        print(f"{'tool':<28}{'MB/s':>8}  {'(range)':<14}{'copydesk is':>12}")
        sig = median["sign"]
        for name, which in [("datasketch (sign)", "datasketch"), ("gaoya (sign + LSH insert)", "gaoya")]:
            print(f"{name:<28}{median[which]:>8.1f}  {'(' + spread(which) + ')':<14}{sig / median[which]:>11.1f}x")
        print(f"{'copydesk (sign)':<28}{sig:>8.1f}  {'(' + spread('sign') + ')':<14}")
        ratio = median["document/gaoya"]
        print(f"{'copydesk (document scan)':<28}{median['document']:>8.1f}  {'(' + spread('document') + ')':<14}"
              f"{ratio:>11.1f}x gaoya (median of the rounds' ratios, {spread('document/gaoya')})")
        print(f"{'copydesk (whole scan)':<28}{median['scan']:>8.1f}  {'(' + spread('scan') + ')':<14}")


if __name__ == "__main__":
    main()
