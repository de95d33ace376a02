"""Shared by the PyTorch bench scripts (bench/torch-scale-step.py, bench/torch-train-step.py): process memory and
the warm-up / timed-repeats loop, printed as the one JSON line bench/scale/torch-reference.ts parses."""
import argparse
import json
import os
import resource
import time

import torch


def step_arguments(models, **more):
    """The scripts' shared flags (--model from `models`, --batch, --threads, --warmup, --repeats, plus `more` as
    name=default string flags), parsed; also sets torch's threads and seed and returns the starting RSS."""
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True, choices=models)
    for name, default in more.items():
        p.add_argument(f"--{name}", default=default)
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--repeats", type=int, default=5)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    return a, current_rss_mib()


def current_rss_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def median(values):
    s = sorted(values)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def time_and_report(step, warmup, repeats, start_rss, **extra):
    """Runs step() warmup times untimed and repeats times timed, then prints the JSON line (ms, RSS in MiB, and the
    median CPU time of this process per step over all its threads, cpu_ms: less sensitive to other processes than
    wall time, as the engine side's cpuMs)."""
    for _ in range(warmup):
        step()
    times = []
    cpu = []
    for _ in range(repeats):
        c0 = time.process_time()
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    print(json.dumps({"torch": torch.__version__, **extra, "median_ms": median(times), "all_ms": times, "cpu_ms": median(cpu),
                      "start_rss_mib": start_rss, "peak_rss_mib": peak_rss_mib()}))
