#!/usr/bin/env python3
"""Summarizes results/*.jsonl (written by the reproduce scripts) as mean ± SD per job, in Markdown."""
import glob, json, statistics, sys

def fmt(xs, scale=100.0, digits=2):
    if any(x != x for x in xs):
        return "–"
    xs = [x * scale for x in xs]
    if len(xs) == 1:
        return f"{xs[0]:.{digits}f}"
    return f"{statistics.mean(xs):.{digits}f} ± {statistics.stdev(xs):.{digits}f}"

for path in sorted(glob.glob(sys.argv[1] if len(sys.argv) > 1 else "results/*.jsonl")):
    rows = [json.loads(l) for l in open(path) if l.strip()]
    if not rows or "test_accuracy" not in rows[0]:
        continue
    print(f"\n{path}\n")
    print("| job | runs | test accuracy (%) | hidden spikes / sample | s / epoch |")
    print("|---|---|---|---|---|")
    jobs = {}
    for r in rows:
        # sparse.jsonl: one group per job, method and density
        key = r.get("job", r.get("dataset")) + (f" {r['method']} {r['density']}" if "method" in r and "density" in r else "")
        jobs.setdefault(key, []).append(r)
    for job, rs in jobs.items():
        epoch_s = [r["seconds_per_epoch"] if "seconds_per_epoch" in r
                   else r["train_seconds"] / max(1, r["epochs"]) if "train_seconds" in r else float("nan") for r in rs]
        print(f"| {job} | {len(rs)} (seeds {','.join(str(r.get('seed')) for r in rs)}) | {fmt([r['test_accuracy'] for r in rs])} | "
              f"{fmt([r.get('hidden_spikes_per_sample', float('nan')) for r in rs], 1, 1)} | {fmt(epoch_s, 1, 2)} |")
