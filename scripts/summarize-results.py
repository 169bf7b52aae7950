#!/usr/bin/env python3
"""Summarizes results/*.jsonl (written by the reproduce scripts) as mean ± SD per job, in Markdown."""
import glob, json, statistics, sys

def fmt(xs, scale=100.0, digits=2):
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
        jobs.setdefault(r.get("job", r.get("dataset")), []).append(r)
    for job, rs in jobs.items():
        print(f"| {job} | {len(rs)} (seeds {','.join(str(r.get('seed')) for r in rs)}) | {fmt([r['test_accuracy'] for r in rs])} | "
              f"{fmt([r['hidden_spikes_per_sample'] for r in rs], 1, 1)} | {fmt([r['seconds_per_epoch'] for r in rs], 1, 2)} |")
