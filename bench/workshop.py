"""A room on one shared server: N attendees, K slots, the TPU-MLIR TEST DOUBLE.

Everything as in a workshop, on loopback: a REAL OpenSSH server on 127.0.0.1 (tests/sshd_support.py)
whose "server" side uses this machine's Docker engine and the toolchain double image; the
instructor's prepare-server and make-kit, then N ``workshop convert`` processes started at once,
each with its own app folder. Prints ``name=value`` lines:

    attendees, slots, images         the room
    last_result_seconds              all attendees started -> the last attendee's Result
    first_result_seconds             ... -> the first one's
    wait_seconds_<n>                 attendee n's time in the queue (its first queue line -> its turn)
    wait_seconds_max, wait_seconds_mean
    containers_peak                  most toolchain containers at once (the engine's start/die events)
    server_peak_memory_mb            the room's containers' memory summed at its highest (cgroup,
                                     sampled every 0.2 s): what the server needs for K at once
    machine_used_peak_mb             this machine's used memory above the start (clients included:
                                     on loopback the attendees' apps run here too)

    python3 bench/workshop.py [--attendees 6] [--slots 2] [--images 10]

The double converts in about a second, so these numbers are the queue's and the backend's own
costs (1 s queue poll, SSH, upload/download), not TPU-MLIR's. Measured here (2026-12, 2 cores
shared with other jobs, 6 attendees, 2 slots, 10 images): last result 27 s, first 18 s (mostly six
apps staging their workspaces at once on 2 cores), waits 0-9 s (mean 4.4), containers_peak 2,
server_peak_memory_mb 56 (the double; the real toolchain needs ~2 GB per slot), machine 536 MB.

Needs root (sshd, /run/sshd), openssh-server, Docker and the test image (built when missing by
tests/images/build_toolchain_double_image.sh).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from docker_support import BUILD_SCRIPT, TEST_IMAGE  # noqa: E402


def ensure_image() -> None:
    if subprocess.run(["docker", "image", "inspect", TEST_IMAGE], capture_output=True).returncode != 0:
        subprocess.run(["bash", str(BUILD_SCRIPT)], check=True)


def used_memory() -> int:
    values = {}
    for line in Path("/proc/meminfo").read_text().splitlines():
        key, _, rest = line.partition(":")
        values[key] = int(rest.split()[0]) * 1024
    return values["MemTotal"] - values["MemAvailable"]


def container_memory(container_id: str) -> int:
    """The container's memory from its cgroup (v1 cgroupfs or v2), 0 when it is gone."""
    for path in (f"/sys/fs/cgroup/memory/docker/{container_id}/memory.usage_in_bytes",
                 f"/sys/fs/cgroup/system.slice/docker-{container_id}.scope/memory.current",
                 f"/sys/fs/cgroup/docker/{container_id}/memory.current"):
        try:
            return int(Path(path).read_text())
        except (OSError, ValueError):
            continue
    return 0


class Sampler(threading.Thread):
    def __init__(self, client, prefix: str):
        super().__init__(daemon=True)
        self.client, self.prefix = client, prefix
        self.stop = threading.Event()
        self.baseline = used_memory()
        self.containers_peak_bytes = 0
        self.machine_peak_bytes = 0

    def run(self) -> None:
        while not self.stop.is_set():
            ours = [c for c in self.client.containers.list(filters={"name": self.prefix})]
            self.containers_peak_bytes = max(self.containers_peak_bytes, sum(container_memory(c.id) for c in ours))
            self.machine_peak_bytes = max(self.machine_peak_bytes, used_memory() - self.baseline)
            self.stop.wait(0.2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attendees", type=int, default=6)
    parser.add_argument("--slots", type=int, default=2)
    parser.add_argument("--images", type=int, default=10)
    args = parser.parse_args()
    import docker

    import sshd_support
    from workshop_support import Attendee, Room, attendee_inputs, container_spans, new_workshop_id, peak_overlap  # noqa: E501
    from wizard.core.workshop import server_layout as layout

    ensure_image()
    client = docker.from_env()
    with tempfile.TemporaryDirectory(prefix="bench-workshop-") as tmp_name:
        tmp = Path(tmp_name)
        server = sshd_support.make_server(tmp / "sshd")
        try:
            room = Room(server=server, root=tmp, workshop_id=new_workshop_id(), image=TEST_IMAGE)
            for step in (room.prepare(slots=args.slots), room.make_kit()):
                if step.returncode != 0:
                    print(step.stderr, file=sys.stderr)
                    return 1
            names = [f"a{i + 1}" for i in range(args.attendees)]
            inputs = {n: attendee_inputs(tmp / "inputs" / n, f"model_{n}", images=args.images) for n in names}
            prefix = layout.container_prefix(room.workshop_id)
            sampler = Sampler(client, prefix)
            sampler.start()
            started = time.time()
            people = {n: Attendee(room, n, *inputs[n]) for n in names}
            codes = {n: p.finish(1800) for n, p in people.items()}
            sampler.stop.set()
            sampler.join(5)
            failed = [n for n, code in codes.items() if code != 0]
            if failed:
                print(f"failed: {failed}: {people[failed[0]].stderr[-1500:]}", file=sys.stderr)
                return 1
            results = {n: p.result["time"] - started for n, p in people.items()}
            waits = {}
            for n, p in people.items():
                queue = [e for e in p.events if e["type"] in ("QueueWaiting", "QueueAdmitted")]
                admitted = next(e for e in queue if e["type"] == "QueueAdmitted")
                waits[n] = admitted["time"] - queue[0]["time"]
            print(f"attendees={args.attendees}")
            print(f"slots={args.slots}")
            print(f"images={args.images}")
            print(f"last_result_seconds={max(results.values()):.1f}")
            print(f"first_result_seconds={min(results.values()):.1f}")
            for n in names:
                print(f"wait_seconds_{n}={waits[n]:.1f}")
            print(f"wait_seconds_max={max(waits.values()):.1f}")
            print(f"wait_seconds_mean={statistics.mean(waits.values()):.1f}")
            print(f"containers_peak={peak_overlap(container_spans(client, prefix, started - 1))}")
            print(f"server_peak_memory_mb={sampler.containers_peak_bytes / 1e6:.0f}")
            print(f"machine_used_peak_mb={sampler.machine_peak_bytes / 1e6:.0f}")
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
