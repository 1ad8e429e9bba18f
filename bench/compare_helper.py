#!/usr/bin/env python3
"""Helper of bench/compare: the parts that are cleaner in Python.

  compare_helper.py freeport
      prints a UDP port free on 127.0.0.1.
  compare_helper.py watch PID OUT INTERVAL MAX_SECONDS
      samples the memory of PID and its descendants until PID is gone, a
      SIGTERM arrives or MAX_SECONDS pass; writes the peak to OUT (bytes).
      One sample = RSS of PID + the private RSS (RSS less file-backed and
      shared pages) of every descendant, so a fork-per-transfer server is
      charged for each child's own memory once, not for its shared libc.
  compare_helper.py record [KEY=VALUE ...] < BENCH_JSON_OR_EMPTY
      prints one JSON line: the fields given plus the bench report.
  compare_helper.py record_gso_loop BENCHMARK_JSON
      prints one JSON line: the bare GSO send loop's CPU per GiB, from
      gso_send_benchmark's --benchmark_format=json output.
  compare_helper.py report RESULTS.jsonl
      prints the markdown table and the ratios against the bar.
"""
import json
import math
import os
import signal
import socket
import sys
import time

GIB = float(1 << 30)
MIB = float(1 << 20)


def freeport():
    # Binds port 0 and reports what the kernel chose; the caller binds it
    # again right after (a race with another process is possible but rare).
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1])


def _children(pid):
    kids = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as f:
                    kids.extend(int(x) for x in f.read().split())
            except OSError:
                pass
    except OSError:
        pass
    return kids


def _statm(pid):
    # Pages: size resident shared(file-backed + shmem) ...
    try:
        with open(f"/proc/{pid}/statm") as f:
            fields = f.read().split()
        return int(fields[1]), int(fields[2])
    except (OSError, IndexError, ValueError):
        return 0, 0


def watch(pid, out, interval, max_seconds):
    pid = int(pid)
    page = os.sysconf("SC_PAGE_SIZE")
    peak = 0
    stop = [False]
    signal.signal(signal.SIGTERM, lambda *_: stop.__setitem__(0, True))
    deadline = time.monotonic() + float(max_seconds)
    while not stop[0] and time.monotonic() < deadline:
        if not os.path.exists(f"/proc/{pid}"):
            break
        resident, _ = _statm(pid)
        total = resident
        pending = _children(pid)
        seen = 0
        while pending and seen < 100000:
            child = pending.pop()
            seen += 1
            r, shared = _statm(child)
            total += max(r - shared, 0)
            pending.extend(_children(child))
        peak = max(peak, total * page)
        time.sleep(float(interval))
    with open(out, "w") as f:
        f.write(f"{peak}\n")


def record(pairs):
    rec = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        try:
            rec[key] = json.loads(value)
        except ValueError:
            rec[key] = value
    text = sys.stdin.read().strip()
    bench = None
    # The report is the last line that parses as a JSON object.
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                bench = json.loads(line)
                break
            except ValueError:
                pass
    rec["bench"] = bench
    print(json.dumps(rec, sort_keys=True))


def record_gso_loop(path):
    with open(path) as f:
        runs = json.load(f).get("benchmarks") or []
    runs = [r for r in runs if r.get("run_type", "iteration") == "iteration"]
    if not runs:
        sys.exit(f"{path}: no benchmark run")
    run = runs[0]
    print(json.dumps({"reference": "bare GSO send loop",
                      "name": run.get("name"),
                      "cpu_s_per_gib": run.get("cpu_s_per_GiB"),
                      "bytes_per_second": run.get("bytes_per_second")},
                     sort_keys=True))


# --- report -----------------------------------------------------------------



def _derived(rec):
    """Numbers of one (workload, server) run; None where not measured."""
    b = rec.get("bench") or {}
    d = {"ok": None, "failed": None, "mbps": None, "tps": None, "p99": None,
         "cpu": rec.get("cpu_seconds"), "cpu_gib": None,
         "cpu_per_k": None, "rss": rec.get("peak_rss_bytes"),
         "verified": None, "errors": None, "misses": None,
         "client_cpu": None, "good": 0}
    if b:
        d["ok"] = b.get("ok")
        d["failed"] = b.get("failed")
        d["verified"] = b.get("verified")
        d["misses"] = b.get("expected_misses", 0)
        d["errors"] = b.get("errors") or {}
        d["mbps"] = b.get("mb_per_second")
        d["client_cpu"] = b.get("client_cpu_seconds")
        elapsed = b.get("elapsed_seconds") or 0
        good = (b.get("ok") or 0) + (b.get("expected_misses") or 0)
        d["tps"] = good / elapsed if elapsed > 0 else None
        d["p99"] = (b.get("latency_ms") or {}).get("p99")
        d["good"] = good
        if d["cpu"] is not None and b.get("bytes"):
            d["cpu_gib"] = d["cpu"] / (b["bytes"] / GIB)
        if d["cpu"] is not None and good:
            d["cpu_per_k"] = d["cpu"] / good * 1000.0
    return d


def _fmt(value, spec, missing="–"):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    return format(value, spec)


def _errors_text(errors):
    if not errors:
        return ""
    names = {"1": "ERROR 1", "0": "ERROR 0", "timeout": "timeout"}
    return ", ".join(f"{names.get(k, k)} ×{v}" for k, v in sorted(errors.items()))


def report(path):
    recs = []
    references = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                rec = json.loads(line)
                (references if "reference" in rec else recs).append(rec)
    out = []
    w = out.append
    w("| workload | server | ok / failed | MB/s | transfers/s | p99 ms | "
      "server CPU s | CPU s per GiB | peak RSS MiB | client CPU s | notes |")
    w("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
      "| --- |")
    by = {}
    for rec in recs:
        d = _derived(rec)
        by[(str(rec["workload"]), rec["server"])] = (rec, d)
        notes = []
        if rec.get("note"):
            notes.append(rec["note"])
        if not rec.get("bench"):
            notes.append(rec.get("outcome") or "no report")
        elif rec.get("outcome") not in (None, "", "ok"):
            notes.append(rec["outcome"])
        if d["errors"]:
            errs = dict(d["errors"])
            if _small(rec) and d["misses"]:
                errs.pop("1", None)
            if errs:
                notes.append("failed: " + _errors_text(errs))
        if rec.get("udp_rcvbuf_drops"):
            notes.append(f"{rec['udp_rcvbuf_drops']} datagrams dropped by "
                         "full receive buffers")
        if d["verified"] is not None and d["ok"] and not _small(rec):
            if d["verified"] != d["ok"]:
                notes.append(f"verified {d['verified']} of {d['ok']}")
        if _small(rec) and d["cpu_per_k"] is not None:
            per = "miss" if str(rec["workload"]) == "3miss" else "transfer"
            notes.insert(0, f"{d['cpu_per_k'] * 1000:.0f} µs CPU per {per}")
        okf = "–" if d["ok"] is None else f"{d['ok']} / {d['failed']}"
        if _small(rec) and d["ok"] is not None:
            okf = f"{d['ok']}+{d['misses']} miss / {d['failed'] - d['misses']}"
        w(f"| {rec['workload']} | {rec['server']} | {okf} | "
          f"{_fmt(d['mbps'], '.1f')} | {_fmt(d['tps'], '.1f')} | "
          f"{_fmt(d['p99'], '.1f')} | {_fmt(d['cpu'], '.2f')} | "
          f"{_fmt(d['cpu_gib'], '.2f')} | "
          f"{_fmt(None if d['rss'] is None else d['rss'] / MIB, '.1f')} | "
          f"{_fmt(d['client_cpu'], '.2f')} | {'; '.join(notes)} |")
    w("")
    w("transfers/s counts transfers that ended as expected (downloads that "
      "completed and verified, plus ERROR 1 for the missing names of "
      "workload 3miss). Server CPU is user + system time of the server and every "
      "process or thread it started (perf stat task-clock with inheritance), "
      "while the workload ran (start-up excluded); peak RSS is the server's VmHWM or, for a forking "
      "server, the peak sampled sum of its private memory and its children's. "
      "Client CPU is the load generator's (`ringtftp bench`), on the same two "
      "cores.")
    w("")
    out.extend(_ratios(by, references))
    w("")
    w("Load generator command of each workload (ROOT: the served directory, "
      "PORT: the server's):")
    w("")
    out.extend(_first_commands(recs, "workload", "bench_command"))
    w("")
    w("Server command lines:")
    w("")
    out.extend(_first_commands(recs, "server", "server_command"))
    print("\n".join(out))


def _small(rec):
    """Workloads 3 and 3miss: many tiny transfers, counted per transfer."""
    return str(rec["workload"]) in ("3", "3miss")


def _first_commands(recs, key, field):
    """One list line per distinct rec[key]: the first rec[field] recorded."""
    lines, seen = [], set()
    for rec in recs:
        if rec.get(field) and rec[key] not in seen:
            seen.add(rec[key])
            lines.append(f"- {rec[key]}: `{rec[field]}`")
    return lines


def _peers(by, workload):
    return {srv: d for (wl, srv), (rec, d) in by.items()
            if wl == workload and srv != "ringtftpd"}


def _ratio_line(label, ours, theirs, target, higher_is_better=True):
    if ours is None or theirs is None or ours == 0 or theirs == 0:
        return f"- {label}: not measured"
    ratio = ours / theirs if higher_is_better else theirs / ours
    verdict = "reached" if ratio >= target else "NOT reached"
    return f"- {label}: **{ratio:.2f}x** (target ≥ {target:g}x: {verdict})"


def _complete_peer_line(w, best, ours, workload):
    """Where the best peer refused or lost transfers, the best of those that
    completed every one (its CPU per GiB is for the same concurrency)."""
    srv, cpu = best(workload, "cpu_gib", False)
    csrv, ccpu = best(workload, "cpu_gib", False, complete_only=True)
    if csrv and csrv != srv and ours[workload]["cpu_gib"]:
        w(f"  - against the best peer that completed every transfer ({csrv}): "
          f"{ccpu / ours[workload]['cpu_gib']:.2f}x")


def _ratios(by, references):
    out = ["Ratios against the bar (same run, same machine):", ""]
    w = out.append
    ours = {wl: d for (wl, srv), (rec, d) in by.items() if srv == "ringtftpd"}

    def best(workload, key, highest, complete_only=False):
        peers = {s: d[key] for s, d in _peers(by, workload).items()
                 if d[key] is not None and d.get("good")
                 and (not complete_only or d.get("failed") == 0)}
        if not peers:
            return None, None
        srv = (max if highest else min)(peers, key=peers.get)
        return srv, peers[srv]

    if "1" in ours:
        srv, mbps = best("1", "mbps", True)
        w(_ratio_line(f"workload 1, MB/s vs the best peer ({srv})",
                      ours["1"]["mbps"], mbps, 3))
        srv, cpu = best("1", "cpu_gib", False)
        w(_ratio_line(f"workload 1, CPU per GiB: the best peer's ({srv}) / "
                      "ringtftpd's", ours["1"]["cpu_gib"], cpu, 5,
                      higher_is_better=False))
        _complete_peer_line(w, best, ours, "1")
        for ref in references:
            cpu = ref.get("cpu_s_per_gib")
            ours_cpu = ours["1"]["cpu_gib"]
            if not cpu or not ours_cpu:
                w(f"- workload 1, CPU per GiB vs the {ref['reference']}: "
                  "not measured")
                continue
            ratio = ours_cpu / cpu
            verdict = "reached" if ratio <= 1.5 else "NOT reached"
            w(f"- workload 1, CPU per GiB: ringtftpd's / the "
              f"{ref['reference']}'s ({ref['name']}, {cpu:.3f} s/GiB): "
              f"**{ratio:.2f}x** (target ≤ 1.5x: {verdict})")
    if "2" in ours:
        srv, cpu = best("2", "cpu_gib", False)
        w(_ratio_line(f"workload 2, CPU per GiB: the best peer's ({srv}) / "
                      "ringtftpd's", ours["2"]["cpu_gib"], cpu, 2,
                      higher_is_better=False))
        _complete_peer_line(w, best, ours, "2")
        srv, mbps = best("2", "mbps", True)
        if srv:
            w(f"- workload 2, MB/s vs the best peer ({srv}): "
              f"{ours['2']['mbps'] / mbps:.2f}x (no target)")
    for wl, noun, nouns in (("3", "transfer", "transfers"),
                            ("3miss", "miss", "misses")):
        if wl in ours:
            _small_file_lines(w, by, ours[wl], wl, noun, nouns)
    if "4" in ours:
        rec, d = by[("4", "ringtftpd")]
        b = rec.get("bench") or {}
        want = rec.get("transfers")
        complete = (b and b.get("failed") == 0 and b.get("ok") == want
                    and b.get("verified") == want)
        cache = rec.get("cache_bytes") or 0
        rss = d["rss"]
        w(f"- workload 4, every transfer completes and verifies: "
          f"{b.get('ok', 0) if b else 0} ok, "
          f"{b.get('verified', 0) if b else 0} verified, "
          f"{b.get('failed', '?') if b else '?'} failed of {want} "
          f"({'reached' if complete else 'NOT reached'})")
        if rss is not None:
            beyond = (rss - cache) / MIB
            w(f"- workload 4, server RSS beyond the block cache "
              f"({cache / MIB:.1f} MiB): **{beyond:.1f} MiB** (target < 256 "
              f"MiB: {'reached' if beyond < 256 else 'NOT reached'})")
        for srv, pd in sorted(_peers(by, "4").items()):
            w(f"- workload 4, {srv}: {pd['ok']} ok / {pd['failed']} failed"
              f"{' (' + _errors_text(pd['errors']) + ')' if pd['errors'] else ''}")
    return out


def _small_file_lines(w, by, ours, workload, noun, nouns):
    """Issue 11's bar for workloads 3 and 3miss, against dnsmasq (the best
    small-file peer) and, for reference, the best peer of the run."""
    dnsmasq = by.get((workload, "dnsmasq"))
    dn = dnsmasq[1] if dnsmasq else {"tps": None, "cpu_per_k": None}
    w(_ratio_line(f"workload {workload}, {nouns}/s vs dnsmasq", ours["tps"],
                  dn["tps"], 3))
    w(_ratio_line(f"workload {workload}, server CPU per {noun}: dnsmasq's / "
                  "ringtftpd's", ours["cpu_per_k"], dn["cpu_per_k"], 3,
                  higher_is_better=False))
    if ours["cpu"] is not None and ours["client_cpu"] is not None:
        w(f"  - CPU while it ran: server {ours['cpu']:.2f} s, load generator "
          f"{ours['client_cpu']:.2f} s (a load generator near its core's "
          "whole run caps the rate, not the server)")


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd = argv[1]
    if cmd == "freeport":
        freeport()
    elif cmd == "watch" and len(argv) == 6:
        watch(*argv[2:])
    elif cmd == "record":
        record(argv[2:])
    elif cmd == "record_gso_loop" and len(argv) == 3:
        record_gso_loop(argv[2])
    elif cmd == "report" and len(argv) == 3:
        report(argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
