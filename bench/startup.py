"""Cold and warm start of `make run` on the embedded engines.

    python bench/startup.py [--warm-runs 2]

Cold: a fresh data folder (initdb, every migration, demo data). Warm: the same folder again (the cluster and data
are reused). Each run is timed from `make run` until the launcher prints that the app is ready, which it does
only once the demo data is loaded, Daphne answers and the Celery worker replies through Redis; then Ctrl-C
(SIGINT to the process group, as a terminal sends it) and the time until everything has stopped.
"""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
READY_LINE = "[peerlearn] ready in"
TIMEOUT_SECONDS = 300
# Configuration that would make the launcher use outside servers instead of starting the embedded ones.
CLEARED = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "PEERLEARN_ENV", "CELERY_TASK_ALWAYS_EAGER")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def one_run(data_dir: Path, log_path: Path) -> tuple[float, float]:
    """Seconds until ready and seconds from Ctrl-C until `make` exited."""
    env = {key: value for key, value in os.environ.items() if key not in CLEARED}
    env.update(PEERLEARN_DATA_DIR=str(data_dir), PORT=str(free_port()))
    started = time.monotonic()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "-s", "run"],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        while READY_LINE not in log_path.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() - started > TIMEOUT_SECONDS:
                sys.exit(f"make run did not become ready; its output:\n{log_path.read_text(errors='replace')[-4000:]}")
            time.sleep(0.05)
        ready = time.monotonic() - started
    finally:
        interrupted = time.monotonic()
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=120)
    return ready, time.monotonic() - interrupted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warm-runs", type=int, default=2)
    args = parser.parse_args()
    # Install the virtualenv first if needed, so that no run's time includes pip.
    subprocess.run(["make", "--no-print-directory", "-s", ".venv/.installed"], cwd=BASE_DIR, check=True)
    data_dir = Path(tempfile.mkdtemp(prefix="peerlearn-bench-"))
    try:
        print(f"load average before: {' '.join(f'{value:.2f}' for value in os.getloadavg())} on {os.cpu_count()} CPUs")
        ready, stopped = one_run(data_dir, data_dir.parent / f"{data_dir.name}-cold.log")
        print(f"cold start (fresh data folder): ready in {ready:5.1f} s, stopped in {stopped:4.1f} s after Ctrl-C")
        for number in range(1, args.warm_runs + 1):
            ready, stopped = one_run(data_dir, data_dir.parent / f"{data_dir.name}-warm{number}.log")
            print(f"warm start {number} (same data folder): ready in {ready:5.1f} s, stopped in {stopped:4.1f} s")
        print(f"load average after:  {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        for log in data_dir.parent.glob(f"{data_dir.name}-*.log"):
            log.unlink()


if __name__ == "__main__":
    main()
