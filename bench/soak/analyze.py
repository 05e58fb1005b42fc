#!/usr/bin/env python3
"""analyze.py SAMPLES_TSV BACKEND MINUTES CONVERGENCE HAVE_MDB_STAT DIED: the markdown summary of a soak run.
Per quantity and process: first/last/min/max over the loaded phase, the least-squares slope per hour
over it, and the value once quiet (writer stopped, A and B converged)."""
import csv, sys

path, backend, minutes, conv, have_mdb_stat, died = sys.argv[1:7]
rows = list(csv.DictReader(open(path), delimiter="\t"))
QUANTITIES = ["fds", "fd_jar", "fd_sock", "fd_deleted", "fd_other", "threads", "rss_mb", "heap_live_mb", "tmp_files",
              "data_mdb_kb", "entries", "readers", "max_reader_lag", "free_pages", "blobs", "error_counters"]


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def slope(pts):
    pts = [(x, y) for x, y in pts if y is not None]
    if len(pts) < 3:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    return sum((x - mx) * (y - my) for x, y in pts) / sxx * 3600 if sxx else None


def fmt(v):
    return "-" if v is None else f"{v:.0f}" if abs(v) >= 10 or v == int(v) else f"{v:.1f}"


loaded = [r for r in rows if r["phase"] == "loaded"]
span = (max(int(r["elapsed_s"]) for r in loaded) - min(int(r["elapsed_s"]) for r in loaded)) if loaded else 0
print(f"## Soak run: {backend}, {minutes} min loaded ({len(loaded) // 2} samples per process over {span} s)\n")
print("| quantity | proc | first | last | min | max | slope/h | quiet |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
for q in QUANTITIES:
    for inst in ("a", "b"):
        r = [x for x in loaded if x["inst"] == inst]
        v = [num(x[q]) for x in r]
        vv = [y for y in v if y is not None]
        if not vv or (q == "blobs" and inst == "b"):  # blobs: the one bucket, shown once
            continue
        quiet = [num(x[q]) for x in rows if x["phase"] == "quiet" and x["inst"] == inst]
        print(f"| {q} | {'bucket' if q == 'blobs' else inst.upper()} | {fmt(v[0])} | {fmt(v[-1])} | {fmt(min(vv))} | {fmt(max(vv))} "
              f"| {fmt(slope([(float(x['elapsed_s']), y) for x, y in zip(r, v)]))} | {fmt(quiet[0] if quiet else None)} |")
print()
if have_mdb_stat != "1":
    print("mdb_stat not installed (Debian/Ubuntu package lmdb-utils): no LMDB readers / reader lag / free pages.\n")
print(f"**Convergence:** {conv}")
print(f"**Processes:** {'died: ' + died if died.strip() else 'none died'}")
