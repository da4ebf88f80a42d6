#!/usr/bin/python3
"""Renders docs/benchmarks.md and its PNG charts from the JSON lines the benchmark programs append to
$BENCH_RESULTS (see tests/bench/report.sh, which runs them). Every figure is set against the target its
issue names; a figure without a target is reported as measured."""

import argparse
import json
import math
import os
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (backend first)


def percentile(values, p):
    """Nearest-rank percentile, the same rule the benchmark programs print."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


def load(path):
    figures = defaultdict(list)
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            line = line.strip()
            if not line:
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                sys.exit(f"{path}:{number}: not a JSON line: {error}")
            figures[(record["bench"], record["figure"])].append(record)
    return figures


def verdict(ok):
    return "met" if ok else "**missed**"


class Report:
    def __init__(self, figures, out_dir):
        self.figures = figures
        self.out_dir = out_dir
        self.charts = os.path.join(out_dir, "benchmarks")
        os.makedirs(self.charts, exist_ok=True)
        self.lines = []

    def get(self, bench, figure):
        return self.figures.get((bench, figure), [])

    def say(self, text=""):
        self.lines.append(text)

    def chart(self, fig, name, caption):
        path = os.path.join(self.charts, name)
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)
        self.say(f"![{caption}](benchmarks/{name})")
        self.say()

    # --- hook cost (issue 4) -------------------------------------------------------------------
    def hook_cost(self):
        runs = self.get("hook_cost", "enqueue")
        if not runs:
            return
        self.say("## Hook cost inside PHP (issue 4)")
        self.say()
        self.say("Time `ml_connector_enqueue()` (the extension) or the plugin's PDO fallback adds to one order "
                 "event (~3 kB) inside PHP, over "
                 f"{len(runs[0]['samples_us']):,} events per configuration, spool on a real disk. "
                 "Target: extension p99 < 1 ms, independent of the agent's state.")
        self.say()
        self.say("| path | durability | agent | p50 µs | p90 µs | p99 µs | max µs | target |")
        self.say("|---|---|---|---:|---:|---:|---:|---|")
        for run in runs:
            s = run["samples_us"]
            target = verdict(percentile(s, 0.99) < 1000) if run["path"] == "extension" else "–"
            self.say(f"| {run['path']} | {run['durability']} | {run['agent']} | {percentile(s, .5):.1f} | "
                     f"{percentile(s, .9):.1f} | {percentile(s, .99):.1f} | {max(s):.1f} | {target} |")
        self.say()
        ext = [r for r in runs if r["path"] == "extension"]
        for durability in sorted({r["durability"] for r in ext}):
            by_agent = {r["agent"]: percentile(r["samples_us"], 0.99) for r in ext if r["durability"] == durability}
            if {"up", "down"} <= by_agent.keys():
                spread = abs(by_agent["up"] - by_agent["down"]) / max(by_agent["up"], by_agent["down"]) * 100
                self.say(f"- durability={durability}: p99 with the agent up {by_agent['up']:.0f} µs, down "
                         f"{by_agent['down']:.0f} µs ({spread:.0f} % apart).")
        self.say()
        fig, ax = plt.subplots(figsize=(8, 4.5))
        for run in runs:
            s = sorted(run["samples_us"])
            ax.plot(s, [(i + 1) / len(s) for i in range(len(s))],
                    label=f"{run['path']}, {run['durability']}, agent {run['agent']}",
                    linestyle="-" if run["path"] == "extension" else "--")
        ax.axvline(1000, color="red", linewidth=0.8, linestyle=":", label="target p99 (extension) 1 ms")
        ax.set_xscale("log")
        ax.set_xlabel("added time per order event (µs, log)")
        ax.set_ylabel("share of events")
        ax.set_title("Hook cost: cumulative distribution")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
        self.chart(fig, "hook-cost.png", "hook cost distribution")

    # --- orders (issue 3) ----------------------------------------------------------------------
    def orders(self):
        latency = self.get("orders", "latency")
        requests = self.get("orders", "requests_per_order")
        throughput = self.get("orders", "throughput")
        throttle = self.get("orders", "throttle")
        idle = self.get("orders", "idle_rss")
        if not (latency or throughput or throttle):
            return
        self.say("## Orders to NAV sales orders (issue 3)")
        self.say()
        self.say("The real agent binary (release) against bc-sim and woo-sim in one process, zero added latency; "
                 "orders enter through the spool exactly as the plugin hands them off.")
        self.say()
        self.say("| figure | measured | target | |")
        self.say("|---|---:|---|---|")
        if requests:
            known, new = requests[0]["known"], requests[0]["new_customer"]
            self.say(f"| NAV requests per order, known customer and items | {min(known)}–{max(known)} "
                     f"(over {len(known)} orders) | 1 | {verdict(max(known) <= 1)} |")
            self.say(f"| NAV requests per order, new customer | {min(new)}–{max(new)} | ≤ 3 | {verdict(max(new) <= 3)} |")
        if latency:
            e2e, share = latency[0]["end_to_end_ms"], latency[0]["agent_share_ms"]
            self.say(f"| event → sales order, end to end, p50 / p99 | {percentile(e2e, .5):.1f} / {percentile(e2e, .99):.1f} ms | – | |")
            self.say(f"| agent's own share, p50 / p99 | {percentile(share, .5):.1f} / {percentile(share, .99):.1f} ms "
                     f"| p99 < 50 ms | {verdict(percentile(share, .99) < 50)} |")
        if throughput:
            t = throughput[0]
            self.say(f"| throughput, steady state (10 % → 90 % of {t['orders']:,} queued orders) | {t['steady_per_s']:.0f} orders/s "
                     f"| ≥ 500 | {verdict(t['steady_per_s'] >= 500)} |")
            self.say(f"| throughput including agent start and catalog load | {t['overall_per_s']:.0f} orders/s | – | |")
        if throttle:
            t = throttle[0]
            within = t["per_s"] >= 0.9 * t["limit_per_s"] and t["per_s"] <= t["limit_per_s"]
            failed = (t["parked"] or 0) + (t["held"] or 0)
            self.say(f"| sustained NAV rate under the BC online throttle ({t['limit_per_s']} req/s per user) | "
                     f"{t['per_s']:.1f} req/s ({t['per_s'] / t['limit_per_s'] * 100:.0f} %) over {t['seconds']:.0f} s, "
                     f"{t['throttled']} throttled answers | within 10 % of the limit | {verdict(within)} |")
            self.say(f"| failed orders under the throttle | {failed} parked or held of {t['placed']:,} "
                     f"({t['done_after_drain']:,} in NAV after draining) | 0 | {verdict(failed == 0 and t['done_after_drain'] == t['placed'])} |")
        if idle:
            self.say(f"| agent idle RSS | {idle[0]['kib'] / 1024:.1f} MB | < 20 MB | {verdict(idle[0]['kib'] < 20 * 1024)} |")
        if throughput:
            self.say(f"| agent peak RSS under load | {throughput[0]['hwm_kib'] / 1024:.1f} MB | reported | |")
        self.say()
        if latency:
            fig, ax = plt.subplots(figsize=(8, 4))
            e2e, share = latency[0]["end_to_end_ms"], latency[0]["agent_share_ms"]
            top = percentile(e2e, 0.995) * 1.2
            bins = [top * i / 60 for i in range(61)]
            ax.hist(e2e, bins=bins, alpha=0.6, label="event → sales order (end to end)")
            ax.hist(share, bins=bins, alpha=0.6, label="agent's own share")
            ax.axvline(50, color="red", linewidth=0.8, linestyle=":", label="target p99 (agent share) 50 ms")
            ax.set_xlabel("ms")
            ax.set_ylabel("orders")
            ax.set_title(f"Order latency over {len(e2e)} orders, one at a time")
            ax.legend(fontsize=8)
            ax.grid(alpha=0.3)
            self.chart(fig, "order-latency.png", "order latency distribution")
        if throttle or throughput:
            fig, axes = plt.subplots(1, 2, figsize=(11, 4))
            if throughput:
                t = throughput[0]
                xs = [p[0] for p in t["progress"]]
                ys = [p[1] for p in t["progress"]]
                axes[0].plot(xs, ys)
                axes[0].set_xlabel("seconds since agent start")
                axes[0].set_ylabel("sales orders created")
                axes[0].set_title(f"{t['orders']:,} queued orders, zero-latency NAV")
                axes[0].grid(alpha=0.3)
            if throttle:
                t = throttle[0]
                series = t["series"]
                rates, times = [], []
                step = 4  # samples are 250 ms apart: rates over 1 s windows
                for i in range(step, len(series), step):
                    (t0, n0), (t1, n1) = series[i - step], series[i]
                    times.append(t1)
                    rates.append((n1 - n0) / (t1 - t0))
                axes[1].plot(times, rates, label="NAV requests/s")
                axes[1].axhline(t["limit_per_s"], color="red", linestyle=":", label=f"BC limit {t['limit_per_s']}/s")
                axes[1].axhline(t["limit_per_s"] * 0.9, color="orange", linestyle=":", label="limit − 10 %")
                axes[1].set_ylim(0, t["limit_per_s"] * 1.5)
                axes[1].set_xlabel("seconds")
                axes[1].set_title("Against the BC online throttle")
                axes[1].legend(fontsize=8)
                axes[1].grid(alpha=0.3)
            self.chart(fig, "order-throughput.png", "order throughput and the BC throttle")

    # --- inventory (issue 5) -------------------------------------------------------------------
    def inventory(self):
        runs = self.get("inventory", "run")
        if not runs:
            return
        self.say("## Inventory: NAV stock to WooCommerce (issue 5)")
        self.say()
        self.say("`ml-connector-agent sync inventory` (release) as a child process against simulators seeded with "
                 "N synthetic SKUs on both sides; wall time, the agent's CPU, its peak RSS, and the requests "
                 "each simulator received.")
        self.say()
        self.say("| SKUs | run | wall s | agent CPU s | peak RSS MB | NAV req | Woo reads | Woo writes | changed |")
        self.say("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
        for r in runs:
            self.say(f"| {r['skus']:,} | {r['run']} | {r['wall_s']:.2f} | {r['cpu_s']:.2f} | {r['peak_rss_kib'] / 1024:.0f} "
                     f"| {r['nav_requests']:,} | {r['woo_reads']:,} | {r['woo_writes']:,} | {r['changed']:,} |")
        self.say()
        largest = max(r["skus"] for r in runs)
        big = {r["run"]: r for r in runs if r["skus"] == largest}
        full = next((r for k, r in big.items() if k.startswith("full, every")), None)
        none = next((r for k, r in big.items() if k.startswith("full, nothing")), None)
        if full and none:
            woo_all = full["woo_reads"] + full["woo_writes"]
            self.say(f"Against the targets at {largest:,} SKUs:")
            self.say()
            self.say(f"- full reconcile wall time {full['wall_s']:.1f} s (target < 60 s): {verdict(full['wall_s'] < 60)}")
            self.say(f"- WooCommerce writes with every SKU changed: {full['woo_writes']:,} (target ≤ 1,000): "
                     f"{verdict(full['woo_writes'] <= 1000)}")
            self.say(f"- WooCommerce writes with nothing changed: {none['woo_writes']} (target 0): {verdict(none['woo_writes'] == 0)}")
            self.say(f"- WooCommerce reads of a full reconcile: {full['woo_reads']:,} ({woo_all:,} requests with the writes). "
                     "The target counts writes: at 100 products per batch (WooCommerce's limit, issue 5 point 4) "
                     "100,000 changed SKUs are 1,000 writes, so a total of ≤ 1,000 would leave no request to read "
                     "the shop with. The reads (WooCommerce lists at most 100 products per page) are what lets a "
                     "reconcile find stock edited in WP admin, new products and changed SKUs; an incremental run "
                     "with nothing moved sends no request at all.")
            peak = max(r["peak_rss_kib"] for r in big.values()) / 1024
            self.say(f"- peak RSS {peak:.0f} MB (target < 100 MB): {verdict(peak < 100)}")
            self.say()
        fig, axes = plt.subplots(1, 2, figsize=(11, 4))
        kinds = []
        for r in runs:
            # "incremental, 1000 moved (1 %)" differs per size; one line for all sizes.
            r["kind"] = "incremental, 1 % moved" if r["run"].endswith("(1 %)") else r["run"]
            if r["kind"] not in kinds:
                kinds.append(r["kind"])
        for kind in kinds:
            pts = sorted((r["skus"], r["wall_s"], r["woo_writes"], r["woo_reads"]) for r in runs if r["kind"] == kind)
            line = axes[0].plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=kind)[0]
            axes[1].plot([p[0] for p in pts], [max(p[2], 0.8) for p in pts], marker="o", label=f"{kind}: writes",
                         color=line.get_color())
            if kind.startswith("full, every"):
                axes[1].plot([p[0] for p in pts], [max(p[3], 0.8) for p in pts], marker="x", linestyle="--",
                             label="full: reads (listing the shop)", color=line.get_color())
        axes[0].axhline(60, color="red", linestyle=":", linewidth=0.8, label="target full < 60 s")
        axes[1].axhline(1000, color="red", linestyle=":", linewidth=0.8, label="target ≤ 1,000 writes")
        for ax, title, unit in ((axes[0], "wall time", "seconds"), (axes[1], "WooCommerce requests", "requests (0 drawn at 0.8)")):
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel("SKUs")
            ax.set_ylabel(unit)
            ax.set_title(f"Inventory sync: {title}")
            ax.grid(alpha=0.3, which="both")
            ax.legend(fontsize=7)
        self.chart(fig, "inventory-scaling.png", "inventory reconcile scaling")

    # --- customers (issue 6) -------------------------------------------------------------------
    def customers(self):
        runs = self.get("customers_link", "run")
        if not runs:
            return
        self.say("## Customers: initial linking (issue 6)")
        self.say()
        self.say("`ml-connector-agent link customers` (release) against simulators seeded with the same N customers "
                 "on both sides (matched by e-mail); wall time and the requests each side received. "
                 "Target: time and requests reported.")
        self.say()
        self.say("| customers | run | wall s | NAV requests | Woo requests | matches | already linked | links written |")
        self.say("|---:|---|---:|---:|---:|---:|---:|---:|")

        def number(value):
            return f"{value:,}" if isinstance(value, int) else "–"
        for r in runs:
            self.say(f"| {r.get('customers', 0):,} | {r.get('run', '')} | {r.get('wall_s', 0):.2f} | {r.get('nav_requests', 0):,} "
                     f"| {r.get('woo_requests', 0):,} | {number(r.get('matches'))} | {number(r.get('already_linked'))} "
                     f"| {'yes' if r.get('written') else 'no (dry run)'} |")
        self.say()

    # --- memory (issues 3 and 5) ---------------------------------------------------------------
    def memory(self):
        bars = []
        idle = self.get("orders", "idle_rss")
        if idle:
            bars.append(("idle", idle[0]["kib"] / 1024))
        throughput = self.get("orders", "throughput")
        if throughput:
            bars.append((f"{throughput[0]['orders']:,} orders", throughput[0]["hwm_kib"] / 1024))
        for r in self.get("inventory", "run"):
            if r["run"].startswith("full, every"):
                bars.append((f"inventory {r['skus']:,}", r["peak_rss_kib"] / 1024))
        if not bars:
            return
        self.say("## Agent memory")
        self.say()
        fig, ax = plt.subplots(figsize=(8, 3.8))
        ax.bar([b[0] for b in bars], [b[1] for b in bars])
        for i, (_, mb) in enumerate(bars):
            ax.text(i, mb, f"{mb:.0f} MB", ha="center", va="bottom", fontsize=8)
        ax.set_ylabel("peak RSS (MB)")
        ax.set_title("Agent memory: idle 20 MB and inventory 100 MB are the targets")
        ax.grid(alpha=0.3, axis="y")
        self.chart(fig, "agent-memory.png", "agent memory")

    def write(self, machine, tools):
        body = self.lines
        self.lines = []
        self.say("# Benchmarks")
        self.say()
        self.say("Generated by `bash tests/bench/report.sh` (about 10 minutes) from the benchmark programs; do not "
                 "edit by hand. Each figure is set against the target its issue names.")
        self.say()
        self.say(f"- Machine: {machine}")
        self.say(f"- Tools: {tools}")
        self.say("- All traffic on loopback; the simulators run in the benchmark's own process, so their CPU "
                 "shares the machine with the agent.")
        self.say()
        self.lines += body
        with open(os.path.join(self.out_dir, "benchmarks.md"), "w", encoding="utf-8") as out:
            out.write("\n".join(self.lines).rstrip() + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("results", help="the JSON lines file ($BENCH_RESULTS)")
    parser.add_argument("out_dir", help="where benchmarks.md and benchmarks/*.png go")
    parser.add_argument("--machine", default="(not described)")
    parser.add_argument("--tools", default="(not described)")
    args = parser.parse_args()
    report = Report(load(args.results), args.out_dir)
    report.hook_cost()
    report.orders()
    report.inventory()
    report.customers()
    report.memory()
    report.write(args.machine, args.tools)
    print(f"wrote {os.path.join(args.out_dir, 'benchmarks.md')} and {report.charts}/*.png")


if __name__ == "__main__":
    main()
