#!/usr/bin/env python3
"""`make bench-peers`: copydesk against gaoya, rensa and datasketch, end to end.

Each tool runs its whole job on one corpus in a fresh process pinned to one
core (`taskset -c 0`), and is charged the process's CPU seconds (user +
system, from wait4), whatever it spends them on: reading the JSON Lines,
shingling, signing, LSH, verifying candidates, clustering, writing output.
The peers run their minimal job with copydesk's parameters (5-word
shingles, 125 hashes in 25 bands of 5 rows, Jaccard 0.5): sign every
document, insert it into the LSH index, query every document, keep the
candidates whose estimated Jaccard reaches the threshold, and union-find
them into clusters. copydesk runs `scan --format json`, its default (with
rewrites, passages and provenance), and `scan --no-rewrites` (the
document-level scan).

Corpora: the shared Reuters-21578 (../shared/corpora), synthetic news with
planted copies (copydesk's generator, ARTICLES articles), and, for
copydesk's default scan only, two pair-dense ones: the Helsinki pages, and
the synthetic news with one story carried by DENSE pages (each with its own
furniture, cut and edits), to be compared per byte with the sparse news.

The tools take turns for ROUNDS rounds (default 3); medians are printed
with their ranges, and each ratio is the median of the ratios taken within
a round, with its range, which cancels most of what a shared machine's load
does to both sides.

From Python (the copydesk wheel, built here and installed beside the
peers), on the same corpora, one core each, taking turns:

* analysis to signatures and band keys: `copydesk.batch.analyze` of the
  corpus (the Python list turned into an Arrow table inside the clock),
  asking for those two columns, against each peer's signing of every document
  and its LSH insert (where each computes its band keys), timed inside the
  process from the texts in memory (a Python list of str) to the keys;
* `copydesk.scan(path).write_json(out)` against the CLI's `scan --format
  json`, whole processes both, the Python program turning transparent huge
  pages off first as the CLI does.

Every Python job, the peers' included, turns transparent huge pages off
before it starts, as the CLI does: with them on, a job's CPU seconds
depended on what the kernel had free after the job before it.

Last, copydesk's instructions on each corpus, counted by callgrind when
valgrind is installed: a figure the machine's load does not move, for
comparing one stop with the next.

Usage: [ROUNDS=3] [DENSE=5000] [PARTS=all|python] python3 benches/peers.py [ARTICLES]   (default 20000)
(PARTS=python runs only the Python comparisons.)
"""
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import venv

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARTICLES = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
ROUNDS = max(1, int(os.environ.get("ROUNDS", "3")))
DENSE = int(os.environ.get("DENSE", "5000"))
ONLY_PYTHON = os.environ.get("PARTS", "all") == "python"
PEERS = ["gaoya", "rensa", "datasketch"]

# What every Python job starts with: transparent huge pages off, as the
# copydesk CLI turns them off for itself, so every process in the comparison
# pages memory the same way; the corpus's texts in memory; shingles and
# parameters as copydesk's. With huge pages on, the same signing job was
# charged from 0.2 to 1.1 CPU seconds, by what the kernel had free after the
# process before it.
PRELUDE = r'''
import ctypes, json, re, sys, time
PR_SET_THP_DISABLE = 41
ctypes.CDLL(None, use_errno=True).prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0)
path, which = sys.argv[1], sys.argv[2]
texts = [json.loads(line)["text"] for line in open(path, encoding="utf-8")]
WORD, K, PERM, BANDS, THRESHOLD = re.compile(r"\w+"), 5, 125, 25, 0.5

def shingles(text):
    toks = WORD.findall(text.lower())
    return [" ".join(toks[i:i + K]) for i in range(max(1, len(toks) - K + 1))]
'''

# The peers' minimal job. Shingles, parameters and clustering as copydesk's.
PEER_SCRIPT = PRELUDE + r'''

parent = list(range(len(texts)))

def find(x):
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x

def union(a, b):
    a, b = find(a), find(b)
    if a != b:
        parent[max(a, b)] = min(a, b)

if which == "gaoya":
    from gaoya.minhash import MinHashStringIndex
    index = MinHashStringIndex(hash_size=32, jaccard_threshold=THRESHOLD, num_bands=BANDS, band_size=PERM // BANDS,
                               analyzer="word", lowercase=True, ngram_range=(K, K))
    index.par_bulk_insert_docs(list(range(len(texts))), texts)
    for i, text in enumerate(texts):
        for j in index.query(text):
            if j != i:
                union(i, j)
else:
    if which == "rensa":
        from rensa import RMinHash, RMinHashLSH
        lsh = RMinHashLSH(threshold=THRESHOLD, num_perm=PERM, num_bands=BANDS)
        def sign(text):
            m = RMinHash(num_perm=PERM, seed=42)
            m.update(shingles(text))
            return m
    else:
        from datasketch import MinHash, MinHashLSH
        lsh = MinHashLSH(threshold=THRESHOLD, num_perm=PERM, params=(BANDS, PERM // BANDS))
        def sign(text):
            m = MinHash(num_perm=PERM)
            m.update_batch([s.encode() for s in shingles(text)])
            return m
    signed = []
    for i, text in enumerate(texts):
        m = sign(text)
        signed.append(m)
        lsh.insert(i, m)
    for i, m in enumerate(signed):
        for j in lsh.query(m):
            if j > i and m.jaccard(signed[j]) >= THRESHOLD:
                union(i, j)

clusters = {}
for i in range(len(texts)):
    clusters.setdefault(find(i), []).append(i)
print(sum(1 for members in clusters.values() if len(members) > 1))
'''


# Analysis only, from Python: each tool signs every document and computes
# its band keys (the peers inside their LSH insert), timed in the process
# (CPU seconds) from texts in memory to keys, so reading the corpus and
# importing the modules, the same for every tool, do not dilute the ratio.
SIGN_SCRIPT = PRELUDE + r'''

# Imports happen before the clock starts; the texts are in memory for all.
if which == "copydesk":
    import pyarrow as pa
    from copydesk import batch
    pa.table({"id": ["warm"], "text": ["up"]})  # pyarrow's one-time set-up of its first conversion
elif which == "gaoya":
    from gaoya.minhash import MinHashStringIndex
elif which == "rensa":
    from rensa import RMinHash, RMinHashLSH
else:
    from datasketch import MinHash, MinHashLSH
start = time.process_time()
if which == "copydesk":
    table = pa.table({"id": [str(i) for i in range(len(texts))], "text": texts})
    keys = batch.analyze(table, columns=["signature", "band_keys"])
elif which == "gaoya":
    index = MinHashStringIndex(hash_size=32, jaccard_threshold=THRESHOLD, num_bands=BANDS, band_size=PERM // BANDS,
                               analyzer="word", lowercase=True, ngram_range=(K, K))
    index.par_bulk_insert_docs(list(range(len(texts))), texts)
elif which == "rensa":
    lsh = RMinHashLSH(threshold=THRESHOLD, num_perm=PERM, num_bands=BANDS)
    for i, text in enumerate(texts):
        m = RMinHash(num_perm=PERM, seed=42)
        m.update(shingles(text))
        lsh.insert(i, m)
else:
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=PERM, params=(BANDS, PERM // BANDS))
    for i, text in enumerate(texts):
        m = MinHash(num_perm=PERM)
        m.update_batch([s.encode() for s in shingles(text)])
        lsh.insert(i, m)
print(time.process_time() - start)
'''

# copydesk's default scan from Python, written out as the CLI writes it.
SCAN_SCRIPT = r'''
import sys
import copydesk
copydesk.disable_transparent_huge_pages()  # as the CLI does at start
copydesk.scan(sys.argv[1]).write_json(sys.argv[2])
'''


def run(cmd, env=None):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout


def charged(cmd, env=None):
    """Runs cmd on core 0; returns (CPU seconds, peak RSS in KiB) of the process."""
    with open(os.devnull, "w") as null:
        proc = subprocess.Popen(["taskset", "-c", "0"] + cmd, stdout=null, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode(errors="replace")
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {err[-2000:]}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def timed_inside(cmd, env=None):
    """Runs cmd on core 0; returns the CPU seconds it prints of its own timed part."""
    return float(run(["taskset", "-c", "0"] + cmd, env=env).strip().splitlines()[-1])


def dense_corpus(sparse_path, out_path, pages, seed=7):
    """The sparse corpus plus `pages` pages carrying one of its stories, each
    with its own masthead and footer, cut at its own length, and a few words
    changed."""
    rng = random.Random(seed)
    records = [json.loads(line) for line in open(sparse_path, encoding="utf-8")]
    story = max(records[:1000], key=lambda r: len(r["text"]))["text"].split("\n\n")
    with open(out_path, "w", encoding="utf-8") as out:
        for r in records:
            out.write(json.dumps(r) + "\n")
        for p in range(pages):
            keep = story[: max(3, int(len(story) * rng.uniform(0.6, 1.0)))]
            words = "\n\n".join(keep).split(" ")
            for _ in range(rng.randint(0, 4)):
                words[rng.randrange(len(words))] = rng.choice(["said", "told", "reported", "added", "noted"])
            text = f"Site {p % 400} News | Home | World\n\n" + " ".join(words) + f"\n\nCopyright Site {p % 400}. All rights reserved."
            out.write(json.dumps({"id": f"dense-{p}", "outlet": f"site{p % 400}.example", "text": text}) + "\n")


def megabytes(path):
    return sum(len(json.loads(line)["text"].encode()) for line in open(path, encoding="utf-8")) / 1e6


def spread(values):
    return f"({min(values):.2f}-{max(values):.2f})"


def main():
    one_core = dict(os.environ, RAYON_NUM_THREADS="1")
    reuters = os.path.join(ROOT, "..", "shared", "corpora", "reuters-21578.jsonl")
    helsinki = os.path.join(ROOT, "..", "shared", "corpora", "helsinki-summit-2018.jsonl")
    for path in (reuters, helsinki):
        if not os.path.isfile(path):
            raise SystemExit(f"{path} is needed (the shared corpora beside the checkout)")
    with tempfile.TemporaryDirectory() as tmp:
        print(f"setting up a virtualenv with {', '.join(PEERS)} in {tmp} ...", flush=True)
        venv.create(os.path.join(tmp, "venv"), with_pip=True)
        py = os.path.join(tmp, "venv", "bin", "python")
        run([py, "-m", "pip", "install", "-q", "maturin>=1.7,<2", "pyarrow>=14"] + PEERS)
        # The binary and the wheel are built as README says to install them
        # (`--profile dist`); the corpus writer needs no link-time optimisation.
        run(["cargo", "build", "--profile", "dist", "--quiet", "--bin", "copydesk"])
        run(["cargo", "build", "--release", "--quiet", "--example", "throughput"])
        wheels = os.path.join(tmp, "wheels")
        run([os.path.join(tmp, "venv", "bin", "maturin"), "build", "--profile", "dist", "--quiet", "-m",
             os.path.join(ROOT, "python", "Cargo.toml"), "-o", wheels])
        run([py, "-m", "pip", "install", "-q", "--no-deps"] + [os.path.join(wheels, w) for w in os.listdir(wheels)])
        copydesk = os.path.join(ROOT, "target", "dist", "copydesk")
        news = os.path.join(tmp, "news.jsonl")
        run([os.path.join(ROOT, "target", "release", "examples", "throughput"), str(ARTICLES), "--write", news,
             "--document-level"], env=one_core)
        dense = os.path.join(tmp, "dense.jsonl")
        dense_corpus(news, dense, DENSE)
        script = os.path.join(tmp, "peer.py")
        with open(script, "w") as f:
            f.write(PEER_SCRIPT)
        sign_script, scan_script = os.path.join(tmp, "sign.py"), os.path.join(tmp, "scan.py")
        for path, text in [(sign_script, SIGN_SCRIPT), (scan_script, SCAN_SCRIPT)]:
            with open(path, "w") as f:
                f.write(text)
        signers = {f"{t} (sign + band keys)": (lambda c, t=t: [py, sign_script, c, t]) for t in ["copydesk"] + PEERS}
        scanners = {
            "copydesk scan (CLI)": lambda c: [copydesk, "scan", c, "--format", "json"],
            "copydesk.scan (Python)": lambda c: [py, scan_script, c, os.devnull],
        }
        corpora = {"reuters": reuters, "news": news}
        sizes = {name: megabytes(path) for name, path in {**corpora, "helsinki": helsinki, "dense": dense}.items()}
        tools = {
            "copydesk scan": lambda c: [copydesk, "scan", c, "--format", "json"],
            "copydesk --no-rewrites": lambda c: [copydesk, "scan", c, "--format", "json", "--no-rewrites"],
            **{peer: (lambda c, peer=peer: [py, script, c, peer]) for peer in PEERS},
        }
        cpu = {(t, c): [] for t in tools for c in corpora}
        rss = {(t, c): [] for t in tools for c in corpora}
        ratio = {(t, c): [] for t in ["copydesk scan", "copydesk --no-rewrites"] for c in corpora}
        dense_runs = {name: [] for name in ["news", "dense", "helsinki"]}
        python_tools = {**signers, **scanners}
        py_cpu = {(t, c): [] for t in python_tools for c in corpora}
        sign_ratio = {c: [] for c in corpora}
        scan_ratio = {c: [] for c in corpora}
        for turn in range(ROUNDS):
            print(f"round {turn + 1} of {ROUNDS} ...", flush=True)
            if not ONLY_PYTHON:
                for c, path in corpora.items():
                    for t, command in tools.items():
                        seconds, peak = charged(command(path), env=one_core)
                        cpu[(t, c)].append(seconds)
                        rss[(t, c)].append(peak)
                    fastest = min(cpu[("gaoya", c)][-1], cpu[("rensa", c)][-1])
                    for t in [k[0] for k in ratio if k[1] == c]:
                        ratio[(t, c)].append(fastest / cpu[(t, c)][-1])
                for name, path in [("news", news), ("dense", dense), ("helsinki", helsinki)]:
                    seconds, _ = charged(tools["copydesk scan"](path), env=one_core)
                    dense_runs[name].append(sizes[name] / seconds)
            for c, path in corpora.items():
                for t, command in signers.items():
                    py_cpu[(t, c)].append(timed_inside(command(path), env=one_core))
                for t, command in scanners.items():
                    py_cpu[(t, c)].append(charged(command(path), env=one_core)[0])
                fastest = min(py_cpu[(f"{p} (sign + band keys)", c)][-1] for p in PEERS)
                sign_ratio[c].append(fastest / py_cpu[("copydesk (sign + band keys)", c)][-1])
                scan_ratio[c].append(py_cpu[("copydesk.scan (Python)", c)][-1] / py_cpu[("copydesk scan (CLI)", c)][-1])
        if not ONLY_PYTHON:
            print(f"\none core each, whole-process CPU seconds, medians of {ROUNDS} rounds (ranges in brackets)")
            for c in corpora:
                articles = sum(1 for _ in open(corpora[c], encoding="utf-8"))
                print(f"\n{c}: {articles} articles, {sizes[c]:.1f} MB of text")
                print(f"{'tool':<26}{'CPU s':>8} {'':<14}{'MB/CPU-s':>9}{'peak MB':>9}  vs the faster of gaoya and rensa")
                for t in tools:
                    secs = statistics.median(cpu[(t, c)])
                    line = f"{t:<26}{secs:>8.2f} {spread(cpu[(t, c)]):<14}{sizes[c] / secs:>9.1f}"
                    line += f"{statistics.median(rss[(t, c)]) / 1024:>9.0f}"
                    if (t, c) in ratio:
                        line += f"  {statistics.median(ratio[(t, c)]):.2f}x {spread(ratio[(t, c)])}"
                    print(line)
            print(f"\npair density, copydesk's default scan (MB of text per CPU-second):")
            for name in dense_runs:
                print(f"  {name:<10}{sizes[name]:>7.1f} MB  {statistics.median(dense_runs[name]):>7.1f} {spread(dense_runs[name])}")
            per_round = [d / s for d, s in zip(dense_runs["dense"], dense_runs["news"])]
            print(f"  dense news (one story on {DENSE} pages) at {statistics.median(per_round):.2f}x the speed of sparse news "
                  f"per byte {spread(per_round)}")
            per_round = [h / s for h, s in zip(dense_runs["helsinki"], dense_runs["news"])]
            print(f"  Helsinki at {statistics.median(per_round):.2f}x the speed of sparse news per byte {spread(per_round)}")
        print("\nfrom Python, one core each (CPU seconds, medians, ranges in brackets); signing is timed inside")
        print("the process from texts in memory to band keys, the scans are whole processes")
        for c in corpora:
            print(f"\n{c}: {sizes[c]:.1f} MB of text")
            for t in python_tools:
                secs = statistics.median(py_cpu[(t, c)])
                print(f"  {t:<40}{secs:>8.2f} {spread(py_cpu[(t, c)]):<14}{sizes[c] / secs:>8.1f} MB/CPU-s")
            print(f"  copydesk's analysis at {statistics.median(sign_ratio[c]):.2f}x the fastest peer's "
                  f"{spread(sign_ratio[c])}")
            print(f"  copydesk.scan costs {statistics.median(scan_ratio[c]):.3f}x the CLI's scan {spread(scan_ratio[c])}")
        if not ONLY_PYTHON:
            instruction_counts(tools, {**corpora, "helsinki": helsinki}, sizes, one_core)


def instruction_counts(tools, corpora, sizes, env):
    """copydesk's instructions on each corpus, counted by callgrind: unlike
    CPU seconds, the same binary on the same input gives the same count
    whatever else the machine is doing, so it compares stops exactly."""
    if shutil.which("valgrind") is None:
        print("\ninstructions: valgrind is not installed; not counted")
        return
    print("\ninstructions, copydesk on one thread (callgrind; steady under load)")
    for c, path in corpora.items():
        for t in ["copydesk scan", "copydesk --no-rewrites"]:
            if c == "helsinki" and t != "copydesk scan":
                continue
            cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"] + tools[t](path)
            proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            counted = [line for line in proc.stderr.splitlines() if "Collected :" in line]
            if proc.returncode != 0 or not counted:
                print(f"  {c:<10}{t:<26} not counted (exit {proc.returncode})")
                continue
            count = int(counted[-1].split(":")[-1].strip())
            print(f"  {c:<10}{t:<26}{count / 1e6:>10,.0f} M  {count / (sizes[c] * 1e6):>7.1f} per byte of text")


if __name__ == "__main__":
    main()
