"""Benchmark the risk engine: comments per second on one core, load time and memory.

    python bench/bench_risk.py [--n 20000]

Comments are a realistic mix built from tests/data/risk_corpus.jsonl (short comments joined to
about 200 characters), or synthetic Swedish comments when the corpus is absent.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CORPUS = ROOT / "tests" / "data" / "risk_corpus.jsonl"
TARGET_LENGTH = 200
SYNTHETIC = [
    "Hej! När öppnar simhallen igen efter renoveringen? Barnen längtar så mycket.",
    "Snöröjningen på Björkvägen kunde varit bättre i morse, men tack ändå för att ni kom.",
    "Min ansökan om bygglov har legat hos er sedan mars och ingen svarar när jag ringer.",
    "Någon har brutit sig in i källarförråden i vårt hus i natt, cyklar och verktyg borta.",
    "Jag orkar inte mer. Ingen skulle märka om jag försvann. Förlåt alla.",
    "Ni är ett gäng j*vla idioter på kommunhuset, fy f4n vad dåligt allt är.",
    "Grannens barn är ute själva mitt i natten och föräldrarna verkar påverkade.",
    "Ring mig på 070-123 45 67 om ni hittar vår katt, hon försvann från gården igår.",
    "Tack till personalen på förskolan för en underbar luciafest! 😍",
]


def build_mix(rng: random.Random) -> list[str]:
    """Comments of about TARGET_LENGTH characters drawn from the corpus (or synthetic)."""
    if CORPUS.is_file():
        texts = [json.loads(line)["text"] for line in CORPUS.open(encoding="utf-8") if line.strip()]
    else:
        texts = SYNTHETIC
    mix = []
    for _ in range(2000):
        comment = rng.choice(texts)
        while len(comment) < TARGET_LENGTH * 0.8:
            comment += " " + rng.choice(texts)
        mix.append(comment)
    return mix


def main() -> int:
    """Print throughput, load time and memory for the default rule set."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20000, help="number of comments to assess")
    args = parser.parse_args()

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    import bot.risk

    import_s = time.perf_counter() - t0
    loads = []
    for _ in range(3):
        t0 = time.perf_counter()
        engine = bot.risk.load_engine()
        loads.append(time.perf_counter() - t0)
    load_s = statistics.median(loads)
    # Memory is measured in a separate load: tracemalloc slows allocation-heavy code.
    tracemalloc.start()
    bot.risk.load_engine()
    load_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    rng = random.Random(42)
    mix = build_mix(rng)
    for text in mix[:200]:
        engine.assess(text)  # warm up caches of the regex engine

    gc.collect()
    timings = []
    done = 0
    t_start = time.perf_counter()
    while done < args.n:
        batch_start = time.perf_counter()
        for text in mix:
            engine.assess(text)
        timings.append((time.perf_counter() - batch_start) / len(mix))
        done += len(mix)
    elapsed = time.perf_counter() - t_start

    tracemalloc.start()
    for text in mix[:500]:
        engine.assess(text)
    run_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    mean_len = statistics.mean(len(t) for t in mix)
    print(f"rule set             {engine.version} ({len(engine.ruleset.rules)} rules)")
    print(f"comments             {done} (mean length {mean_len:.0f} chars, one core)")
    print(f"throughput           {done / elapsed:,.0f} comments/s")
    print(f"per comment          {statistics.median(timings) * 1e6:.1f} µs median per batch")
    print(f"import bot.risk      {import_s * 1000:.0f} ms")
    print(f"engine load          {load_s * 1000:.0f} ms (median of 3)")
    print(f"memory, load peak    {load_peak / 1e6:.1f} MB (tracemalloc)")
    print(f"memory, assess peak  {run_peak / 1e6:.2f} MB (tracemalloc, 500 comments)")
    print(f"memory, RSS growth   {(rss_after - rss_before) / 1024:.1f} MB (max RSS delta)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
