"""Peak memory of the desktop app with the 5,000-application list open, against a bare PySide6 window.

Both run in fresh subprocesses (offscreen). The app is `alliance-desk gui` on the cached database of
bench_startup.py with ALLIANCE_DESK_STARTUP_PROBE=1: it quits right after the list rows are shown
(`LISTED`), so its peak covers start-up, the list model and the search index. The peak is the
child's maximum resident set size as the kernel reports it when the process ends (`os.wait4`
rusage `ru_maxrss`, the same figure as VmHWM in /proc/<pid>/status). Medians of --runs:

    peak memory with the list open: X MB (ratio R to bare window Y MB, target ≤ 350 MB)

Exit 1 if the target is missed. Run: python bench/bench_memory.py [--runs 3]
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from _common import startup_commands, startup_options  # noqa: E402
from bench_startup import BARE, N, _env, ensure_database  # noqa: E402

TARGET_MB = 350.0
TARGET_50K_MB = 300.0  # a province's archive: 50,000 applications


def peak_mb(cmd: list[str], env: dict, want: str, timeout: float = 180) -> float:
    """Run `cmd`; return its peak resident memory in MB, after checking it printed `want`."""
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    seen = False
    try:
        for line in proc.stdout:
            seen = seen or line.startswith(want)
        _, status, usage = os.wait4(proc.pid, 0)
    except BaseException:
        proc.kill()
        raise
    proc.returncode = os.waitstatus_to_exitcode(status)
    if not seen:
        raise RuntimeError(f"{' '.join(cmd[:4])} … did not print {want} (exit {proc.returncode})")
    return usage.ru_maxrss / 1024  # Linux reports kilobytes


def main() -> int:
    args = startup_options(__doc__, 3, N)
    db = ensure_database(args.n)
    env = _env()
    bare_cmd, app_cmd = startup_commands(BARE, db)
    bare, ours = [], []
    for _ in range(args.runs):
        bare.append(peak_mb(bare_cmd, env, "PAINTED"))
        ours.append(peak_mb(app_cmd, env, "LISTED"))
    b, x = statistics.median(bare), statistics.median(ours)
    target = TARGET_MB if args.n < 50000 else TARGET_50K_MB
    print(f"peak memory with the list open: {x:.0f} MB (ratio {x / b:.2f} to bare window {b:.0f} MB, "
          f"target ≤ {target:.0f} MB at {args.n})")
    print(f"  {args.n} applications; runs (MB): app {[round(v) for v in ours]}, bare {[round(v) for v in bare]}")
    return 0 if x <= target else 1


if __name__ == "__main__":
    sys.exit(main())
