"""The engine's seeded random numbers (src/core/data/random.ts: splitmix32, xoshiro128**, deriveSeed, Fisher–Yates)
and batch order (src/core/data/dataset.ts batchIndices) in plain Python, so that bench/torch-bise-loop.py can draw
the same batches and the same auxiliary-head initialisation as `bise extract` (its --batch-order ours and
--head-init ours). Pure Python, no torch: test/bench/whole-run.test.ts checks it against the TypeScript.

    python3 bench/engine_random.py SEED STREAM…    prints deriveSeed(SEED, STREAM…) (an all-digit stream is a number)
"""
import sys

MASK = 0xFFFFFFFF
TWO_POW_32 = 4294967296


def _imul(a, b):
    return (a * b) & MASK


def _splitmix32(state):
    """One step of splitmix32 on an unsigned 32-bit state: (value, next state), as random.ts."""
    nxt = (state + 0x9E3779B9) & MASK
    z = nxt
    z = _imul(z ^ (z >> 16), 0x85EBCA6B)
    z = _imul(z ^ (z >> 13), 0xC2B2AE35)
    z ^= z >> 16
    return z & MASK, nxt


def _fold_seed(seed):
    """A safe integer (any sign) folded into 32 bits without losing its high part, as random.ts foldSeed."""
    high = seed // TWO_POW_32  # Math.floor
    low = seed & MASK  # JS `seed ^ x` takes ToInt32(seed): its low 32 bits
    return (low ^ _imul(high & MASK, 0x9E3779B1)) & MASK


def _rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & MASK


class Rng:
    """xoshiro128** seeded through splitmix32 (random.ts createRng)."""

    def __init__(self, seed):
        state = _fold_seed(seed)
        words = []
        for _ in range(4):
            value, state = _splitmix32(state)
            words.append(value)
        self.s = words if any(words) else [1, 0, 0, 0]

    def next_uint32(self):
        s0, s1, s2, s3 = self.s
        result = _imul(_rotl(_imul(s1, 5), 7), 9)
        t = (s1 << 9) & MASK
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = _rotl(s3, 11)
        self.s = [s0, s1, s2, s3]
        return result

    def next_float(self):
        high = self.next_uint32() >> 5
        low = self.next_uint32() >> 6
        return (high * 67108864 + low) / 9007199254740992

    def next_int(self, bound):
        limit = TWO_POW_32 - (TWO_POW_32 % bound)
        while True:
            x = self.next_uint32()
            if x < limit:
                return x % bound


def derive_seed(seed, *streams):
    """random.ts deriveSeed: a seed for an independent sub-stream; strings are absorbed by UTF-16 code unit."""
    state = _fold_seed(seed)

    def absorb(word):
        nonlocal state
        state, _ = _splitmix32((state ^ word) & MASK)

    for stream in streams:
        if isinstance(stream, int):
            absorb(0x6E756D00)
            absorb(_fold_seed(stream))
        else:
            units = stream.encode("utf-16-le")
            absorb(0x73747200 + ((len(units) // 2) & 0xFF))
            for i in range(0, len(units), 2):
                absorb(units[i] | (units[i + 1] << 8))
    return state


def batch_indices(count, batch_size, seed, drop_last=False):
    """dataset.ts batchIndices: 0…count−1 shuffled by Fisher–Yates with createRng(seed), cut into batches."""
    order = list(range(count))
    rng = Rng(seed)
    for i in range(count - 1, 0, -1):
        j = rng.next_int(i + 1)
        order[i], order[j] = order[j], order[i]
    out = []
    for start in range(0, count, batch_size):
        end = min(start + batch_size, count)
        if drop_last and end - start < batch_size:
            break
        out.append(order[start:end])
    return out


def js_number(x):
    """A float as JavaScript's String(x) writes it (shortest round trip), for streams such as `τ = 0.25`."""
    if x == int(x) and abs(x) < 1e21:
        return str(int(x))
    r = repr(x)
    if "e" not in r:
        return r
    mantissa, exponent = r.split("e")
    exp = int(exponent)
    if -7 < exp < 21:  # JS writes these positionally; Python's repr switches to exponents below 1e-4
        digits = mantissa.replace("-", "").replace(".", "")
        sign = "-" if x < 0 else ""
        return sign + "0." + "0" * (-exp - 1) + digits
    return f"{mantissa}e{'+' if exp > 0 else '-'}{abs(exp)}"


if __name__ == "__main__":
    seed = int(sys.argv[1])
    streams = [int(s) if s.lstrip("-").isdigit() else s for s in sys.argv[2:]]
    print(derive_seed(seed, *streams))
