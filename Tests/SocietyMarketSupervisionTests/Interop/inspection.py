"""An independent re-run of a "double random, one public" inspection plan's selection
(SocietyMarketSupervision.InspectionPlan), from its documentation only.

Reads on stdin:
  {"entitySeed": HEX, "inspectorSeed": HEX, "perEntity": N,
   "percent": {"A": 3, ...}, "entities": [{"code": ..., "class": "A"}, ...],
   "inspectors": [{"id": ..., "links": [code, ...]}, ...]}
prints [{"entity": code, "inspectors": [id, ...]}, ...] in selection order.

The public draw (SocietyDraw.PublicDraw): candidates sorted by their UTF-8 bytes; a stream
SHA-256(seed || counter as 8-byte big-endian); uniform(m) by rejection of r >= 2**64 - 2**64 % m;
Fisher-Yates for i in 0 .. n-2 swapping i and i + uniform(n - i).
Entities: walking the entity order, an entity is taken while its class's quota
ceil(count(class) * percent(class) / 100) is not used up.
Inspectors: for each taken entity, the inspectors not linked to it ranked by
(assignments so far, position in the inspector order); the first perEntity, listed by position.
"""
import hashlib
import json
import sys


def public_draw(seed, candidates):
    order = sorted(candidates, key=lambda c: c.encode("utf-8"))
    counter, pool = 0, b""

    def next64():
        nonlocal counter, pool
        while len(pool) < 8:
            pool += hashlib.sha256(seed + counter.to_bytes(8, "big")).digest()
            counter += 1
        value, pool = int.from_bytes(pool[:8], "big"), pool[8:]
        return value

    for i in range(len(order) - 1):
        m = len(order) - i
        limit = 2**64 - (2**64 % m)
        while True:
            r = next64()
            if r < limit:
                break
        j = i + r % m
        order[i], order[j] = order[j], order[i]
    return order


def select(request):
    classes = {e["code"]: e["class"] for e in request["entities"]}
    counts = {}
    for c in classes.values():
        counts[c] = counts.get(c, 0) + 1
    percent = request["percent"]
    quota = {c: -(-n * min(100, max(0, percent.get(c, 100))) // 100) for c, n in counts.items()}
    taken, chosen = {}, []
    for code in public_draw(bytes.fromhex(request["entitySeed"]), list(classes)):
        c = classes[code]
        if taken.get(c, 0) < quota[c]:
            taken[c] = taken.get(c, 0) + 1
            chosen.append(code)
    links = {i["id"]: set(i["links"]) for i in request["inspectors"]}
    order = public_draw(bytes.fromhex(request["inspectorSeed"]), list(links))
    position = {inspector: n for n, inspector in enumerate(order)}
    load = {inspector: 0 for inspector in order}
    plan = []
    for code in chosen:
        eligible = [i for i in order if code not in links[i]]
        pair = sorted(eligible, key=lambda i: (load[i], position[i]))[: request["perEntity"]]
        pair.sort(key=lambda i: position[i])
        for i in pair:
            load[i] += 1
        plan.append({"entity": code, "inspectors": pair})
    return plan


print(json.dumps(select(json.load(sys.stdin)), ensure_ascii=False))
