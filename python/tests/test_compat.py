"""``copydesk.compat``: datasketch's MinHash and MinHashLSH shapes."""

from __future__ import annotations

import random

import pytest

from copydesk.compat import MinHash, MinHashLSH


def _sketch(elements: "set[int]", num_perm: int = 128) -> MinHash:
    m = MinHash(num_perm=num_perm)
    m.update_batch(str(e).encode() for e in elements)
    return m


def test_estimates_track_exact_jaccard() -> None:
    rng = random.Random(7)
    errors = []
    for _ in range(40):
        base = set(rng.sample(range(100_000), 400))
        other = set(rng.sample(sorted(base), rng.randint(50, 400))) | set(rng.sample(range(100_000, 200_000), 100))
        exact = len(base & other) / len(base | other)
        errors.append(abs(_sketch(base, 256).jaccard(_sketch(other, 256)) - exact))
    assert sum(errors) / len(errors) < 0.03 and max(errors) < 0.12


def test_minhash_shape() -> None:
    a = _sketch({1, 2, 3})
    assert len(a) == a.num_perm == 128 and a.seed == 1
    assert a.jaccard(a.copy()) == 1.0 and a == a.copy()
    assert len(a.digest()) == 128 and a.hashvalues == a.digest()
    b = MinHash()
    assert b.is_empty() and b.digest() == []
    b.update("1")  # str is hashed as its UTF-8 bytes
    b.merge(_sketch({2, 3}))
    assert b.jaccard(a) == 1.0
    with pytest.raises(TypeError, match="bytes or str"):
        a.update(3)
    with pytest.raises(ValueError, match="different num_perm"):
        a.jaccard(MinHash(num_perm=64))
    with pytest.raises(ValueError):
        MinHash(num_perm=0)


def test_lsh_finds_near_duplicates_only() -> None:
    rng = random.Random(3)
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    base = set(rng.sample(range(10_000), 300))
    near = set(list(base)[:270]) | {20_000 + i for i in range(30)}
    far = set(rng.sample(range(30_000, 40_000), 300))
    lsh.insert("base", _sketch(base))
    lsh.insert("far", _sketch(far))
    assert lsh.query(_sketch(near)) == ["base"]
    assert "base" in lsh and len(lsh) == 2 and (lsh.b, lsh.r) == (25, 5)
    with pytest.raises(ValueError, match="already in the index"):
        lsh.insert("base", _sketch(base))
    lsh.remove("base")
    assert lsh.query(_sketch(near)) == [] and "base" not in lsh
    with pytest.raises(ValueError, match="not in the index"):
        lsh.remove("base")
    with pytest.raises(ValueError, match="empty"):
        lsh.query(MinHash())
