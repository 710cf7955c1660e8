"""Webhook-to-card latency: signed Meta webhooks at a steady rate against the web process.

Starts the Slack stand-in, migrates a fresh SQLite file (or DATABASE_URL given with --database),
runs `python -m bot serve --no-scheduler` as its own process, sends risky Swedish comments at
--rate per second for --seconds, and reports p50/p99 from sending the webhook to the card's
chat.postMessage arriving at the stand-in, lost and duplicate cards, and the server's peak memory.

    python bench/bench_webhooks.py [--rate 50] [--seconds 20] [--database URL]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.standins.signing import meta_body, meta_signed_headers  # noqa: E402
from tests.standins.slack_api import SlackStandIn  # noqa: E402

SECRET = "bench-meta-secret"
TEXTS = [
    "Jag orkar inte leva längre, ikväll gör jag slut på allt.",
    "Min granne slår sina barn varje kväll, vi hör skriken genom väggen.",
    "Min handläggare på socialtjänsten har inte svarat om mitt försörjningsstöd på tre veckor.",
    "Jag vet var du bor och jag ska döda dig, din jävla idiot.",
]
PERMALINK = re.compile(r"facebook\.com/(bench_\d+)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def payload(n: int) -> dict:
    value = {"from": {"id": f"9{n}", "name": "Bänk Testsson"}, "item": "comment", "verb": "add",
             "post_id": "111_1", "comment_id": f"bench_{n}", "parent_id": "111_1",
             "created_time": int(time.time()), "message": TEXTS[n % len(TEXTS)] + f" ({n})"}
    return {"object": "page", "entry": [{"id": "111", "time": int(time.time()),
                                         "changes": [{"field": "feed", "value": value}]}]}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--database", help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory()
    database = args.database or f"sqlite:///{tmp.name}/bench.db"
    with fresh_schema(database) as database:
        run(args, database)


@contextmanager
def fresh_schema(url: str) -> Iterator[str]:
    """On PostgreSQL, a schema of its own for this run (comment ids repeat between runs and
    would be taken as Meta's retries), dropped afterwards; SQLite files are fresh anyway."""
    if url.startswith("sqlite"):
        yield url
        return
    from sqlalchemy import create_engine, text

    schema = f"bench_{os.getpid()}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def run(args: argparse.Namespace, database: str) -> None:
    """Drive the web process with signed webhooks and print what the stand-in saw."""
    port = free_port()
    with SlackStandIn() as slack:
        env = {**os.environ, "DATABASE_URL": database, "PORT": str(port),
               "SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": "bench",
               "SLACK_API_URL": slack.base_url, "SLACK_CHANNEL": "C1",
               "META_APP_SECRET": SECRET, "LOG_LEVEL": "WARNING", "OUTBOX_POLL_SECONDS": "1"}
        subprocess.run([sys.executable, "-m", "bot", "migrate"], cwd=ROOT, env=env, check=True)
        server = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--no-scheduler"],
                                  cwd=ROOT, env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{base}/healthz").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            total = args.rate * args.seconds
            cpu_before = cpu_seconds(server.pid)
            sent_at: dict[str, float] = {}
            answers: list[float] = []
            statuses: list[int] = []
            lock = threading.Lock()
            client = httpx.Client(timeout=10)

            def send(n: int) -> None:
                body = meta_body(payload(n))
                headers = meta_signed_headers(SECRET, body)
                start = time.monotonic()
                with lock:
                    sent_at[f"bench_{n}"] = start
                response = client.post(f"{base}/webhooks/meta", content=body, headers=headers)
                with lock:
                    answers.append(time.monotonic() - start)
                    statuses.append(response.status_code)

            began = time.monotonic()
            with ThreadPoolExecutor(max_workers=32) as pool:
                for n in range(total):
                    delay = began + n / args.rate - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                    pool.submit(send, n)
            drain_deadline = time.monotonic() + 60
            while time.monotonic() < drain_deadline:
                cards = [c for c in slack.calls("chat.postMessage")
                         if not c.body.get("thread_ts")]
                if len(cards) >= total:
                    break
                time.sleep(0.2)
            cards = [c for c in slack.calls("chat.postMessage") if not c.body.get("thread_ts")]
            latencies, seen = [], set()
            duplicates = 0
            for call in cards:
                match = PERMALINK.search(json.dumps(call.body.get("blocks")))
                if not match:
                    continue
                key = match.group(1)
                if key in seen:
                    duplicates += 1
                    continue
                seen.add(key)
                latencies.append(call.at - sent_at[key])
            rss = peak_rss_mb(server.pid)
            cpu = cpu_seconds(server.pid) - cpu_before
        finally:
            server.terminate()
            server.wait(timeout=20)
    ms = [1000 * v for v in latencies]
    answer_ms = [1000 * v for v in answers]
    print(f"sent {total} signed webhooks at {args.rate}/s for {args.seconds}s "
          f"({'SQLite' if database.startswith('sqlite') else 'PostgreSQL'})")
    others = {code: statuses.count(code) for code in sorted(set(statuses)) if code != 200}
    print(f"  HTTP 200: {statuses.count(200)}/{total}" + (f"  other: {others}" if others else ""))
    print(f"  webhook answer     p50 {percentile(answer_ms, .5):7.1f} ms   "
          f"p99 {percentile(answer_ms, .99):7.1f} ms")
    if ms:
        print(f"  webhook → card     p50 {statistics.median(ms):7.1f} ms   "
              f"p99 {percentile(ms, .99):7.1f} ms   max {max(ms):7.1f} ms")
    print(f"  cards posted {len(seen)}/{total}, lost {total - len(seen)}, duplicates {duplicates}")
    print(f"  web process peak memory (VmHWM) {rss:.0f} MB, "
          f"CPU {1000 * cpu / total:.1f} ms per webhook")


if __name__ == "__main__":
    main()
