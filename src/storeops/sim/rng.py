"""Named, keyed random streams: common random numbers for counterfactual runs.

Every draw comes from a stream named by the sub-model and keyed by what the draw belongs to
(a channel, a day, a category and channel), or from a hash of such a key. Within a stream,
draws run in day order and each day takes a fixed number of uniforms; counts are drawn by
inverting those uniforms, so a larger mean never gives a smaller count. When a decision changes
something from day W on, nothing before W moves, nothing in another stream moves at all, and
what it raises only rises. Adding a sub-model never shifts the others either.
"""

from __future__ import annotations

import zlib
from functools import lru_cache

import numpy as np
from scipy import stats


def stream(seed: int, name: str, *keys: int) -> np.random.Generator:
    """Return the random generator of sub-model `name` for store `seed`, keyed by `keys`."""
    spawn_key = (zlib.crc32(name.encode()), *(int(k) for k in keys))
    ss = np.random.SeedSequence(entropy=int(seed), spawn_key=spawn_key)
    return np.random.default_rng(ss)


_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


def _mix(x: np.ndarray, tmp: np.ndarray) -> None:
    """SplitMix64's finaliser, in place: a bijection of uint64 that scatters nearby keys."""
    for shift, mult in ((30, _M1), (27, _M2)):
        np.right_shift(x, np.uint64(shift), out=tmp)
        np.bitwise_xor(x, tmp, out=x)
        np.multiply(x, mult, out=x)
    np.right_shift(x, np.uint64(31), out=tmp)
    np.bitwise_xor(x, tmp, out=x)


# keys hashed at once: the hash and its temporary stay in the CPU's cache across their dozen
# passes (a whole large store's keys at once would go out to memory on every pass)
HASH_CHUNK_WORDS = 1 << 14


@lru_cache(maxsize=4096)  # a day's loop asks for the same few streams every day
def _stream_base(seed: int, name: str) -> np.uint64:
    """The 64-bit word that every key of stream `name` of store `seed` is mixed with."""
    one = np.empty(1, dtype=np.uint64)
    base = np.array([int(seed) & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64)
    _mix(base, one)
    base ^= np.uint64(zlib.crc32(name.encode()))
    _mix(base, one)
    return base[0]


def keyed_uniforms(seed: int, name: str, keys: np.ndarray, columns: int) -> np.ndarray:
    """Uniforms in (0, 1) as float32, `columns` per key, depending only on (seed, name, key).

    For things counted by a decision (the orders of a day and channel, the lines of an order):
    the k-th one gets the same draws whatever the count, so one more order is appended and
    nothing else moves. One 64-bit hash gives two 24-bit uniforms.
    """
    base = _stream_base(seed, name)
    words = (columns + 1) // 2
    keys = np.asarray(keys, dtype=np.uint64)
    out = np.empty((len(keys), columns), dtype=np.float32)
    rows = max(1, HASH_CHUNK_WORDS // words)
    h = np.empty((min(rows, len(keys)), words), dtype=np.uint64)
    tmp = np.empty_like(h)
    word = np.arange(words, dtype=np.uint64)[None, :]
    for i in range(0, len(keys), rows):
        chunk = keys[i : i + rows]
        _hash_uniforms(chunk, base, word, h[: chunk.size], tmp[: chunk.size], out[i : i + rows])
    return out


def _hash_uniforms(
    keys: np.ndarray, base: np.uint64, word: np.ndarray, h: np.ndarray, tmp: np.ndarray, out
) -> None:
    """`keyed_uniforms` of some keys, written into `out` (`h`, `tmp`: room for their hashes)."""
    np.multiply(keys[:, None], np.uint64(word.size), out=h)
    h += word
    h ^= base
    _mix(h, tmp)
    halves = h.view(np.uint32).reshape(keys.size, 2 * word.size)
    # the top 24 bits of each half, centred in their cell: never 0, but the top cell rounds to
    # exactly 1 in float32 (draws by inversion guard against it); in place, as a large store
    # draws billions of these
    halves >>= np.uint32(8)
    np.copyto(out, halves[:, : out.shape[1]], casting="unsafe")  # exact: below 2**24
    out += np.float32(0.5)
    out *= np.float32(1.0 / 16777216.0)


# the bit patterns of keyed uniforms (positive float32s, which sort like their bits): the
# smallest, and one past the largest counted from it
SMALLEST_UNIFORM_BITS = int(np.array(0.5 / 16777216.0, dtype=np.float32).view(np.uint32))
UNIFORM_BITS_BOUND = (
    int(np.array(1.0, dtype=np.float32).view(np.uint32)) - SMALLEST_UNIFORM_BITS + 1
)


def poisson_ppf(u: np.ndarray, lam) -> np.ndarray:
    """Poisson counts by inversion of uniforms: a larger mean never gives a smaller count."""
    return stats.poisson.ppf(np.clip(u, 1e-16, 1 - 1e-16), lam).astype(np.int64)


def binomial_ppf(u: np.ndarray, n, p) -> np.ndarray:
    """Binomial counts by inversion of uniforms: monotone in both `n` and `p`."""
    p = np.clip(p, 0.0, 1.0)
    return stats.binom.ppf(np.clip(u, 1e-16, 1 - 1e-16), n, p).astype(np.int64)


POISSON_CHUNK = 1 << 16  # draws inverted at once: their dozen passes stay in the CPU's cache


def poisson_quantile(u: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Poisson draws by inversion of `u` (1-D; small means: the loop runs a dozen times at
    most)."""
    lam = np.broadcast_to(np.asarray(lam, dtype=float), u.shape)
    k = np.zeros(u.shape, dtype=np.int64)
    for i in range(0, u.size, POISSON_CHUNK):
        _invert_poisson(
            u[i : i + POISSON_CHUNK], lam[i : i + POISSON_CHUNK], k[i : i + POISSON_CHUNK]
        )
    return k


def _invert_poisson(u: np.ndarray, lam: np.ndarray, k: np.ndarray) -> None:
    """`poisson_quantile` of some draws, written into `k` (zeros)."""
    p = np.exp(-lam)
    todo = np.flatnonzero(u > p)  # only the draws still above their CDF are carried on
    cdf, p, lam_t, u_t = p[todo], p[todo], lam[todo], u[todo]
    step = 0
    while todo.size:
        step += 1
        k[todo] = step
        p = p * lam_t / step
        cdf = cdf + p
        more = (u_t > cdf) & (p > 1e-16)
        todo, cdf, p, lam_t, u_t = todo[more], cdf[more], p[more], lam_t[more], u_t[more]


def geometric_quantile(u: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Geometric draws (1, 2, ...) with success probability `p`, by inversion of `u`."""
    u = np.asarray(u)
    # a float32 uniform may round up to exactly 1 (one in 2**24): that would be an endless
    # draw, so it is taken as the largest value below 1
    u = np.minimum(u, np.nextafter(np.ones((), dtype=u.dtype), 0))
    return np.maximum(np.ceil(np.log1p(-u) / np.log1p(-p)), 1).astype(np.int64)
