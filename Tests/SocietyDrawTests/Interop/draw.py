"""An independent implementation of the public draw (SocietyDraw.PublicDraw), from its
documentation only: reads {"seed": HEX, "candidates": [...]} on stdin, prints the order as JSON.

1. candidates sorted by their UTF-8 bytes;
2. stream = SHA-256(seed || counter as 8-byte big-endian), counter = 0, 1, ...;
3. uniform(m): next 8 bytes big-endian as r; reject while r >= 2**64 - (2**64 % m); r % m;
4. Fisher-Yates: for i in 0 .. n-2, swap i and i + uniform(n - i).
"""
import hashlib
import json
import sys


class Stream:
    def __init__(self, seed):
        self.seed = seed
        self.counter = 0
        self.buffer = b""

    def next64(self):
        while len(self.buffer) < 8:
            self.buffer += hashlib.sha256(self.seed + self.counter.to_bytes(8, "big")).digest()
            self.counter += 1
        value, self.buffer = int.from_bytes(self.buffer[:8], "big"), self.buffer[8:]
        return value

    def uniform(self, m):
        limit = 2**64 - (2**64 % m)
        while True:
            r = self.next64()
            if r < limit:
                return r % m


def draw(seed, candidates):
    order = sorted(candidates, key=lambda c: c.encode("utf-8"))
    stream = Stream(seed)
    for i in range(len(order) - 1):
        j = i + stream.uniform(len(order) - i)
        order[i], order[j] = order[j], order[i]
    return order


request = json.load(sys.stdin)
print(json.dumps(draw(bytes.fromhex(request["seed"]), request["candidates"]), ensure_ascii=False))
