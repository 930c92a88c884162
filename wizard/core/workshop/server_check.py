"""Is the shared server ready for a room: what make-kit checks, and what an attendee's job checks.

One remote command (``probe_command``) reports the workshop's facts as key=value lines: the
workshop folder and its slots, flock, the toolchain image's ID, memory and free disk. A pure
function (``problems_for``) says what is missing, with the numbers: "4 conversions at once need
about 8 GB of memory; it has 6 GB, enough for 3".

Memory per conversion: the toolchain holds every preprocessed calibration input in memory
(~4.9 MB per 640x640 picture) and reports of ~2 GB RSS for 200 pictures (toolchain.md), so
1 GB + 2 x 4.9 MB per calibration picture, at 640x640 (the attendee's model is not known yet).
Disk: the image is there already; each run needs its inputs and work/ (~1 GB with margin) and the
server keeps 2 GB free for itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

from wizard.core.messages import Problem, problem
from wizard.core.ssh import remote_shell as rs
from wizard.core.workshop import server_layout as layout

GB = 1024**3
BASE_BYTES_PER_CONVERSION = 1 * GB
BYTES_PER_CALIBRATION_PICTURE = 2 * 4.9e6
SYSTEM_RESERVE_BYTES = 1 * GB
DISK_BYTES_PER_CONVERSION = 1 * GB
DISK_RESERVE_BYTES = 2 * GB

_MARK = "__workshop_probe__"


def probe_command(workshop_dir: str, image: str, image_id_command: str | None = None) -> str:
    """``image_id_command``: what prints the image's ID when this login has no Docker of its own
    (an attendee of a one-account-per-attendee room asks the gatekeeper)."""
    ws = rs.q(workshop_dir)
    image_id = image_id_command or f'docker image inspect --format "{{{{.Id}}}}" {rs.q(image)}'
    return "; ".join([
        f"echo {_MARK}",
        f'if [ -f {ws}/{layout.SLOTS_FILE} ]; then echo "slots=$(head -c 16 {ws}/{layout.SLOTS_FILE} | tr -dc 0-9)"; fi',
        f'if [ -d {ws}/{layout.QUEUE_DIR} ]; then echo "queue=yes"; fi',
        'echo "flock=$(command -v flock 2>/dev/null)"',
        f'echo "image_id=$({image_id} 2>/dev/null)"',
        "awk '/^MemTotal:/ {print \"mem_total_kb=\" $2} /^MemAvailable:/ {print \"mem_available_kb=\" $2}' /proc/meminfo 2>/dev/null",
        'echo "free_kb=$(df -Pk "$HOME" 2>/dev/null | awk "NR==2 {print \\$4}")"',
        'echo "cpus=$(nproc 2>/dev/null)"',
    ])


@dataclass(frozen=True)
class WorkshopFacts:
    slots: int | None = None  # None: the workshop folder is not set up
    queue: bool = False
    flock: bool = False
    image_id: str = ""
    mem_total: int | None = None  # bytes
    mem_available: int | None = None
    free_disk: int | None = None
    cpus: int | None = None

    @property
    def prepared(self) -> bool:
        return self.slots is not None and self.queue


def parse_probe(text: str) -> WorkshopFacts:
    values = rs.probe_values(text, _MARK)

    def number(key: str, scale: int = 1) -> int | None:
        try:
            return int(values[key]) * scale
        except (KeyError, ValueError):
            return None

    return WorkshopFacts(
        slots=number("slots"),
        queue=values.get("queue") == "yes",
        flock=bool(values.get("flock")),
        image_id=values.get("image_id", ""),
        mem_total=number("mem_total_kb", 1024),
        mem_available=number("mem_available_kb", 1024),
        free_disk=number("free_kb", 1024),
        cpus=number("cpus"),
    )


def memory_per_conversion(options: Mapping[str, Any]) -> int:
    count = int(options.get("calibration_count") or 100)
    quantize = str(options.get("quantize") or "INT8").upper()
    pictures = count if quantize.startswith(("INT", "W")) else 0  # BF16 has no calibration
    return int(BASE_BYTES_PER_CONVERSION + pictures * BYTES_PER_CALIBRATION_PICTURE)


def _gb(n: float) -> str:
    return f"{n / GB:.1f}"


def resource_problems(facts: WorkshopFacts, *, slots: int, options: Mapping[str, Any], target: str,
                      severity: str = "error") -> list[Problem]:
    """Memory and disk for ``slots`` conversions at once."""
    found: list[Problem] = []
    per = memory_per_conversion(options)
    if facts.mem_total is not None:
        usable = facts.mem_total - SYSTEM_RESERVE_BYTES
        need = slots * per
        if need > usable:
            fits = max(0, math.floor(usable / per))
            found.append(problem("workshop_memory_low", severity, target=target, slots=slots,  # type: ignore[arg-type]
                                 need_gb=_gb(need + SYSTEM_RESERVE_BYTES), have_gb=_gb(facts.mem_total), fits=fits))
    if facts.free_disk is not None:
        need = slots * DISK_BYTES_PER_CONVERSION + DISK_RESERVE_BYTES
        if facts.free_disk < need:
            found.append(problem("workshop_disk_low", severity, target=target, slots=slots,  # type: ignore[arg-type]
                                 need_gb=_gb(need), free_gb=_gb(facts.free_disk)))
    return found


def problems_for(facts: WorkshopFacts, *, target: str, workshop_id: str, image: str, slots: int | None = None,
                 image_id: str | None = None, options: Mapping[str, Any] | None = None) -> list[Problem]:
    """What stops the workshop on this server, in the order to fix. ``slots`` and ``options``:
    the kit's (memory and disk are checked only when given); ``image_id``: the kit's pin."""
    found: list[Problem] = []
    if not facts.prepared:
        found.append(problem("workshop_not_prepared", target=target, workshop=workshop_id))
    elif slots is not None and facts.slots != slots:
        found.append(problem("workshop_slots_differ", target=target, server_slots=facts.slots, kit_slots=slots))
    if not facts.flock:
        found.append(problem("workshop_flock_missing", target=target))
    if not facts.image_id:
        found.append(problem("workshop_image_missing", image=image, target=target))
    elif image_id and facts.image_id != image_id:
        found.append(problem("kit_image_differs", image=image, target=target, expected=image_id,
                             found=facts.image_id))
    if slots is not None and options is not None:
        found.extend(resource_problems(facts, slots=slots, options=options, target=target))
    return found
