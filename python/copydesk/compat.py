"""datasketch's ``MinHash`` and ``MinHashLSH``, on copydesk's Rust core.

A datasketch user changes one import::

    from copydesk.compat import MinHash, MinHashLSH

``MinHash(num_perm=128)`` takes elements with ``update`` (bytes, or str
as UTF-8) and estimates Jaccard similarity with ``jaccard``;
``MinHashLSH(threshold, num_perm)`` files them under keys with
``insert`` and finds likely near-duplicates with ``query``. The sketch is
copydesk's (one-permutation hashing with densification), so its values
differ from datasketch's, but its estimates are as unbiased and its
band split is chosen the same way.

>>> a, b = MinHash(), MinHash()
>>> for word in "the bridge over the river will reopen next month".split():
...     a.update(word.encode())
>>> for word in "the bridge over the river will reopen next week".split():
...     b.update(word.encode())
>>> 0.5 < a.jaccard(b) < 1.0
True
>>> lsh = MinHashLSH(threshold=0.5, num_perm=128)
>>> lsh.insert("a", a)
>>> lsh.query(b)
['a']
"""

from __future__ import annotations

from typing import Any, Dict, Hashable, Iterable, List, Optional, Tuple

from ._core import LshIndex as _LshIndex
from ._core import MinHash as _MinHash

__all__ = ["MinHash", "MinHashLSH"]


class MinHash:
    """A MinHash sketch of a set (datasketch's ``MinHash`` shape)."""

    def __init__(self, num_perm: int = 128, seed: int = 1) -> None:
        self._inner = _MinHash(num_perm, seed)

    def update(self, b: Any) -> None:
        self._inner.update(b)

    def update_batch(self, b: Iterable[Any]) -> None:
        self._inner.update_batch(b)

    def jaccard(self, other: MinHash) -> float:
        return self._inner.jaccard(other._inner)

    def merge(self, other: MinHash) -> None:
        self._inner.merge(other._inner)

    def digest(self) -> List[int]:
        return self._inner.digest()

    @property
    def hashvalues(self) -> List[int]:
        return self.digest()

    @property
    def num_perm(self) -> int:
        return self._inner.num_perm

    @property
    def seed(self) -> int:
        return self._inner.seed

    def is_empty(self) -> bool:
        return self._inner.is_empty()

    def copy(self) -> MinHash:
        out = MinHash.__new__(MinHash)
        out._inner = self._inner.copy()
        return out

    def __len__(self) -> int:
        return len(self._inner)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MinHash) and self._inner == other._inner

    __hash__ = None  # type: ignore[assignment]  # mutable, as datasketch's


class MinHashLSH:
    """An LSH index of MinHashes for a Jaccard threshold (datasketch's
    ``MinHashLSH`` shape, with its default ``weights`` of 0.5 and 0.5)."""

    def __init__(
        self,
        threshold: float = 0.9,
        num_perm: int = 128,
        weights: Tuple[float, float] = (0.5, 0.5),
        params: Optional[Tuple[int, int]] = None,
    ) -> None:
        if weights != (0.5, 0.5) or params is not None:
            raise ValueError("copydesk.compat.MinHashLSH supports only the default weights and band split")
        self._index = _LshIndex(threshold, num_perm)
        self._ids: Dict[Hashable, int] = {}
        self._keys: Dict[int, Hashable] = {}
        self._next = 0

    def insert(self, key: Hashable, minhash: MinHash, check_duplication: bool = True) -> None:
        if check_duplication and key in self._ids:
            raise ValueError(f"the key {key!r} is already in the index")
        if key in self._ids:
            self.remove(key)
        self._index.insert(self._next, minhash._inner)
        self._ids[key] = self._next
        self._keys[self._next] = key
        self._next += 1

    def query(self, minhash: MinHash) -> List[Hashable]:
        """Keys of entries sharing a band with ``minhash``, in insertion order."""
        return [self._keys[i] for i in self._index.query(minhash._inner)]

    def remove(self, key: Hashable) -> None:
        if key not in self._ids:
            raise ValueError(f"the key {key!r} is not in the index")
        i = self._ids.pop(key)
        del self._keys[i]
        self._index.remove(i)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def is_empty(self) -> bool:
        return not self._ids

    @property
    def b(self) -> int:
        return self._index.bands[0]

    @property
    def r(self) -> int:
        return self._index.bands[1]
