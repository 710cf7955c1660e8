"""Benchmark the risk engine: comments per second on one core, load time and memory.

    python bench/bench_risk.py [--n 20000] [--runs 5] [--rules-only]

Typical comments are tests/data/risk_month.jsonl (a month of comments as a kommun's page gets
them, nine in ten ordinary) joined to 170-210 characters, a mean of 200: typical content at the
typical length, what the product's 10,000 comments/s is about. Mostly risky comments are
tests/data/risk_corpus.jsonl joined the same way (synthetic Swedish comments when the corpus is
absent): the hard case, where most comments match rules and get evidence and advice. Both are
the median of several timed runs (caches warm, as in a running bot); the month as written and
the first pass over the risky mix, with everything still cold, are shown as well. One process,
one thread.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CORPUS = ROOT / "tests" / "data" / "risk_corpus.jsonl"
CACHE_ENV = "SOMEVAKTEN_RISK_CACHE"  # bot.risk.cache.CACHE_ENV, without importing bot.risk yet
MONTH = ROOT / "tests" / "data" / "risk_month.jsonl"  # comments as a kommun page gets them
TARGET_LENGTH = 200
TARGET_RATE = 10_000  # typical comments per second on one core (issue 3)
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
    return joined(texts, rng)


def joined(texts: list[str], rng: random.Random, count: int = 2000) -> list[str]:
    """Comments of 85-105 % of TARGET_LENGTH characters (their mean is about TARGET_LENGTH),
    each a few of the texts joined, the last cut at a space when it runs over."""
    low, high = int(TARGET_LENGTH * 0.85), int(TARGET_LENGTH * 1.05)
    mix = []
    for _ in range(count):
        comment = rng.choice(texts)
        while len(comment) < low:
            comment += " " + rng.choice(texts)
        if len(comment) > high:
            cut = comment.rfind(" ", low, high + 1)
            comment = comment[:cut] if cut > 0 else comment[:high]
        mix.append(comment)
    return mix


def _loader(rules_only: bool) -> Callable[[], Any]:
    """What loads the engine: bot.risk.load_engine, or the rule engine alone."""
    import bot.risk

    if not rules_only:
        return bot.risk.load_engine
    from bot.risk.engine import RiskEngine
    from bot.risk.ruleset import load_ruleset

    return lambda: RiskEngine(load_ruleset(bot.risk.rules_dir_from_env()))


def _memory(rules_only: bool, mix: list[str]) -> tuple[float, float]:
    """MB of resident memory in a fresh process: after the imports, and after loading the
    engine, compiling every pattern (warm) and assessing the mix (its caches filled)."""
    script = f"""
import json, re, sys
sys.path.insert(0, {str(ROOT)!r})
sys.path.insert(0, {str(Path(__file__).parent)!r})
def peak():  # the high-water mark of this process (ru_maxrss would count the parent's)
    status = open("/proc/self/status").read()
    return int(re.search(r"VmHWM:\\s+(\\d+)", status).group(1)) / 1024
mix = json.loads(sys.stdin.read())
import bench_risk, numpy, bot.risk
from bot.risk.engine import RiskEngine
before = peak()
engine = bench_risk._loader({rules_only!r})()
engine.warm()
for text in mix:
    engine.assess(text)
print(before, peak())
"""
    out = subprocess.run(
        [sys.executable, "-c", script], input=json.dumps(mix), capture_output=True,
        text=True, check=True,
    ).stdout.split()
    return float(out[0]), float(out[1])


def _pass(engine: Any, mix: list[str]) -> float:
    """Seconds for one pass of engine.assess over the mix."""
    start = time.perf_counter()
    for text in mix:
        engine.assess(text)
    return time.perf_counter() - start


def main() -> int:
    """Print throughput, load time and memory for the default rule set."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20000, help="comments per timed run")
    parser.add_argument("--runs", type=int, default=5, help="timed runs (the median is shown)")
    parser.add_argument(
        "--rules-only", action="store_true", help="the rule engine without the learned lexicon"
    )
    args = parser.parse_args()

    os.environ[CACHE_ENV] = "off"  # first: compiling the rule files, as after an edit
    t0 = time.perf_counter()
    load = _loader(args.rules_only)
    import_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    engine = load()  # the first load in a process: nothing cached yet
    first_load_s = time.perf_counter() - t0
    compiles = []
    for _ in range(2):
        t0 = time.perf_counter()
        load()
        compiles.append(time.perf_counter() - t0)
    # Then as a restart loads it: from the compiled engine on disk.
    os.environ[CACHE_ENV] = tempfile.mkdtemp(prefix="somevakten-bench-")
    load()
    loads = []
    for _ in range(3):
        t0 = time.perf_counter()
        load()
        loads.append(time.perf_counter() - t0)
    # Memory is measured in a separate load: tracemalloc slows allocation-heavy code.
    tracemalloc.start()
    load()
    load_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    mix = build_mix(random.Random(42))
    cold_s = _pass(engine, mix)  # first sight of every word and pattern
    month = (
        [json.loads(line)["text"] for line in MONTH.open(encoding="utf-8") if line.strip()]
        if MONTH.is_file()
        else []
    )
    # The month's comments joined to the typical length: ordinary content, 200 chars.
    typical = joined(month, random.Random(42)) if month else []
    gc.collect()
    typical_runs = _runs(engine, typical, args.n, args.runs) if typical else []
    risky_runs = _runs(engine, mix, args.n, args.runs)
    month_s = min(_pass(engine, month) for _ in range(args.runs)) if month else 0.0

    tracemalloc.start()
    for text in mix[:500]:
        engine.assess(text)
    run_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss_imports, rss_engine = _memory(args.rules_only, mix)
    # After the memory figures: what compiling every pattern at load (warm()) would add.
    t0 = time.perf_counter()
    warmed = load()
    t1 = time.perf_counter()
    warmed.warm()
    warm_s = time.perf_counter() - t1
    load_s = t1 - t0
    warm_cold_s = _pass(warmed, mix)

    from bot.risk.native import NATIVE_ENV, native_in_use

    what = "rules only" if args.rules_only else "rules + lexicon (bot.risk.load_engine)"
    core = "native core" if native_in_use() else f"Python reference (see {NATIVE_ENV})"
    print(f"engine               {what}, {core}")
    print(
        f"machine              {_machine_reference():.1f} µs for sum(range(1000)) (best of 7): "
        "how fast this machine runs Python now, to compare runs on other machines by"
    )
    print(f"rule set             {engine.version} ({len(engine.ruleset.rules)} rules)")
    if typical_runs:
        rate = 1 / statistics.median(typical_runs)
        verdict = "met" if rate >= TARGET_RATE else "not met"
        print(
            f"typical comments     {_throughput(typical_runs, args.runs)}; {MONTH.name} "
            f"joined to a mean of {statistics.mean(len(t) for t in typical):.0f} chars"
        )
        print(f"target               {TARGET_RATE:,} typical comments/s on one core: {verdict}")
    source = CORPUS.name if CORPUS.is_file() else "synthetic comments"
    print(
        f"mostly risky         {_throughput(risky_runs, args.runs)}; {source} joined to a "
        f"mean of {statistics.mean(len(t) for t in mix):.0f} chars"
    )
    if month:
        print(
            f"a realistic month    {len(month) / month_s:,.0f} comments/s, "
            f"{month_s / len(month) * 1e6:.1f} µs per comment (best run; {MONTH.name}, "
            f"{len(month)} comments as written, mean length "
            f"{statistics.mean(len(t) for t in month):.0f} chars)"
        )
    print(f"first pass, cold     {cold_s / len(mix) * 1e6:.1f} µs per comment")
    print(
        f"first pass, warm()   {warm_cold_s / len(mix) * 1e6:.1f} µs per comment "
        f"(after load {load_s * 1000:.0f} ms + warm() {warm_s * 1000:.0f} ms)"
    )
    print(f"import bot.risk      {import_s * 1000:.0f} ms")
    print(
        f"engine load          {statistics.median(loads) * 1000:.0f} ms from the compiled "
        f"engine on disk (median of 3; as at a restart)"
    )
    print(
        f"engine compile       {first_load_s * 1000:.0f} ms first in process, "
        f"{statistics.median(compiles) * 1000:.0f} ms median of 2 more (after a rule edit)"
    )
    print(f"memory, load peak    {load_peak / 1e6:.1f} MB (tracemalloc)")
    print(f"memory, assess peak  {run_peak / 1e6:.2f} MB (tracemalloc, 500 comments)")
    print(
        f"memory, resident     {rss_engine:.0f} MB in a fresh process after load, warm() and "
        f"the mix; {rss_engine - rss_imports:.0f} MB more than Python with its imports "
        f"({rss_imports:.0f} MB)"
    )
    return 0


def _machine_reference() -> float:
    """µs for a fixed piece of pure Python, best of 7: machines, and one machine's load, differ
    by half or more, and the engine's figures move with them."""
    best = float("inf")
    for _ in range(7):
        start = time.perf_counter()
        for _ in range(1000):
            sum(range(1000))
        best = min(best, (time.perf_counter() - start) / 1000)
    return best * 1e6


def _runs(engine: Any, texts: list[str], n: int, runs: int) -> list[float]:
    """Seconds per comment in each of `runs` timed runs of at least n comments."""
    per_comment = []
    for _ in range(runs):
        run_s = 0.0
        count = 0
        while count < n:
            run_s += _pass(engine, texts)
            count += len(texts)
        per_comment.append(run_s / count)
    return per_comment


def _throughput(per_comment: list[float], runs: int) -> str:
    """Comments per second and µs per comment of the median run, and the range of the runs."""
    median = statistics.median(per_comment)
    return (
        f"{1 / median:,.0f} comments/s, {median * 1e6:.1f} µs per comment (median of {runs} "
        f"runs, one core; runs {min(per_comment) * 1e6:.1f}–{max(per_comment) * 1e6:.1f} µs)"
    )


if __name__ == "__main__":
    raise SystemExit(main())
