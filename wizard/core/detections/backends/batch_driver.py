"""Runs the toolchain's model_runner.py once per input, where the toolchain is (standard library only).

This file is copied as it is into the place the toolchain runs (a container of the toolchain
image, the VM's Docker, or run by the wizard's own Python beside a TPU-MLIR environment) and run
there as ``python3 batch_driver.py job.json``. It must work on any Python 3 from 3.8 (the
toolchain image's is 3.10) without numpy, so it only reads and writes zip files (an npz is one).

job.json: {"tool": "model_runner.py", "model": ..., "work_dir": ..., "inputs": [...],
"outputs": [...], "keep": [...], "cancel_file": ...}; relative paths are relative to job.json's
folder. For each input, in order, it prints marker lines (flushed) between the tool's own output:

    @@recamera-wizard-detections start I
    ... model_runner's output (stdout and stderr, merged) ...
    @@recamera-wizard-detections done I BYTES          outputs[I] is complete
    @@recamera-wizard-detections failed I EXIT OOM     OOM = "oom" or "-"; the driver exits 3
    @@recamera-wizard-detections cancelled I           the cancel file appeared; exit 130
    @@recamera-wizard-detections end                   all done; exit 0

model_runner runs from ``work_dir``: a top MLIR names its weight file relative to it. Its output
is written beside outputs[I] first, then only the tensors named in ``keep`` are copied into
outputs[I] (compressed): a cvimodel run dumps 20-26 tensors, the check reads six. Of a kept
name, the ``_f32`` variant is taken when there is one (the other is the cvimodel's internal int8).

Out of memory: the toolchain's launcher exits 1 for any failure of the tool (toolchain.md), so the
exit code alone does not say it. The driver also compares the ``oom_kill`` count of its memory
cgroup (v2 or v1) before and after each run; 137 or a SIGKILL count too.
"""

import json
import os
import subprocess
import sys
import zipfile

MARKER = "@@recamera-wizard-detections"
SUFFIXES = ("_f32", "_Conv")  # as wizard.core.detections.heads.base_name strips them
EXIT_FAILED = 3
EXIT_CANCELLED = 130


def say(*words):
    sys.stdout.write(" ".join([MARKER] + [str(w) for w in words]) + "\n")
    sys.stdout.flush()


def base_name(key):
    for suffix in SUFFIXES:
        if key.endswith(suffix):
            key = key[: -len(suffix)]
    return key


def kept_names(names, keep):
    """The tensor names of ``names`` to keep: all when ``keep`` is empty; ``X_f32`` over ``X``."""
    keep = set(keep)
    chosen = [n for n in names if not keep or base_name(n) in keep]
    present = set(chosen)
    return [n for n in chosen if n.endswith("_f32") or n + "_f32" not in present]


def trim_npz(source, target, keep):
    """Copy the kept arrays of the npz ``source`` into ``target`` (deflated), atomically."""
    temporary = target + ".part"
    with zipfile.ZipFile(source) as given:
        members = {info.filename[:-4]: info for info in given.infolist() if info.filename.endswith(".npy")}
        with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as written:
            for name in kept_names(list(members), keep):
                written.writestr(members[name].filename, given.read(members[name]))
    os.replace(temporary, target)
    return os.path.getsize(target)


def _read_count(path, key):
    with open(path) as handle:
        for line in handle:
            name, _, value = line.partition(" ")
            if name == key:
                return int(value)
    return None


def oom_kills():
    """The oom_kill count of this process's memory cgroup, or None when it cannot be read.

    cgroup v2: ``memory.events``; v1: ``memory.oom_control``. Inside a container the cgroup
    file system shows the container's own group at its root, so the root is tried too."""
    try:
        with open("/proc/self/cgroup") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return None
    candidates = []
    for line in lines:
        number, _, rest = line.partition(":")
        controllers, _, path = rest.partition(":")
        path = path.rstrip("/")
        if number == "0" and not controllers:
            candidates += ["/sys/fs/cgroup" + path + "/memory.events", "/sys/fs/cgroup/memory.events"]
        elif "memory" in controllers.split(","):
            candidates += ["/sys/fs/cgroup/memory" + path + "/memory.oom_control",
                           "/sys/fs/cgroup/memory/memory.oom_control"]
    for candidate in candidates:
        try:
            count = _read_count(candidate, "oom_kill")
        except (OSError, ValueError):
            continue
        if count is not None:
            return count
    return None


def main(argv):
    job_file = os.path.abspath(argv[1])
    here = os.path.dirname(job_file)
    with open(job_file) as handle:
        job = json.load(handle)

    def place(path):
        return path if os.path.isabs(path) else os.path.join(here, path)

    work_dir = place(job.get("work_dir") or ".")
    model = place(job["model"])
    cancel_file = place(job["cancel_file"]) if job.get("cancel_file") else None
    tool = job.get("tool") or "model_runner.py"
    for index, (source, target) in enumerate(zip(job["inputs"], job["outputs"])):
        if cancel_file and os.path.exists(cancel_file):
            say("cancelled", index)
            return EXIT_CANCELLED
        source, target = place(source), place(target)
        folder = os.path.dirname(target)
        if folder and not os.path.isdir(folder):
            os.makedirs(folder)
        raw = target + ".raw.npz"
        say("start", index)
        before = oom_kills()
        try:
            code = subprocess.call([tool, "--input", source, "--model", model, "--output", raw],
                                   cwd=work_dir, stderr=subprocess.STDOUT)
        except OSError as exc:  # not on PATH: 127 as a shell would say
            sys.stdout.write("%s: %s\n" % (tool, exc))
            code = 127
        after = oom_kills()
        killed = code in (137, -9) or (before is not None and after is not None and after > before)
        if code != 0 or not os.path.isfile(raw):
            say("failed", index, code, "oom" if killed else "-")
            return EXIT_FAILED
        size = trim_npz(raw, target, job.get("keep") or [])
        os.remove(raw)
        say("done", index, size)
    say("end")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
