"""What does the SSH backend add on top of the job itself, and how fast does it recover a drop?

Runs conversions of a small YOLO11-shaped model through a REAL OpenSSH server on 127.0.0.1
(tests/sshd_support.py: own keys, own port, HOME in a temp folder) whose "VM" side uses this
machine's Docker engine and the TPU-MLIR TEST DOUBLE image. Loopback has no latency, so these are
the backend's own costs (process start, SSH handshakes, polling), not a network's. Prints
``name=value`` lines:

    connect_seconds           TCP + key exchange + host key check + public-key login
    upload_seconds            the staged workspace as one tar.gz, checked on the VM
    workspace_bytes           the staged files; upload_bytes: the compressed stream actually sent
    job_seconds               the detached wrapper's own start-to-exit time (its files' mtimes)
    stream_lag_seconds        run() returning after the job ended (poll interval 0.5 s)
    download_seconds          work/ as one tar.gz + SHA-256 verified here
    total_seconds             prepare → cleanup, as the user waits for it
    reconnect_gap_seconds     sessions killed mid-calibration → connected again, streaming on
    reconnect_lines_equal     1 when every line arrived exactly once after the drop

    python3 bench/ssh_runner.py [--images 12] [--slow-seconds 3]

Measured here (2026-11, 12 images, loopback): connect 0.09 s, upload 0.22 s (0.72 MB sent for
0.79 MB staged), job 0.9 s, stream lag 0.08-0.18 s, download 0.23 s, total 1.9 s; after killing
the sessions mid-calibration the log flowed again 1.1 s later (first backoff 1 s), lines equal.

Needs root (sshd, /run/sshd), openssh-server, Docker and the test image (built when missing by
tests/images/build_toolchain_double_image.sh).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from wizard.core.events import LogLine  # noqa: E402
from wizard.core.plan.choices import ConversionChoices  # noqa: E402
from wizard.core.plan.workspace import stage_workspace
from wizard.core.toolchain.interpreter import is_log_line  # noqa: E402
from wizard.core.toolchain.lines import LineSplitter  # noqa: E402
from wizard.core.runners.vm.runner import SshRunner  # noqa: E402
from wizard.core.ssh.options import HostKeyPolicy, SshCredentials  # noqa: E402
from wizard.core.images.samples import generate_sample_images  # noqa: E402
from wizard.core.model.samples import write_sample_model  # noqa: E402

IMAGE = "recamera-wizard-test/toolchain-double:latest"


def ensure_image() -> None:
    if subprocess.run(["docker", "image", "inspect", IMAGE], capture_output=True).returncode != 0:
        subprocess.run(["bash", str(ROOT / "tests" / "images" / "build_toolchain_double_image.sh")], check=True)


def runner(server, tmp: Path) -> SshRunner:
    return SshRunner(server.target, credentials=SshCredentials(key_file=server.client_key, allow_agent=False),
                     host_keys=HostKeyPolicy(app_known_hosts=tmp / "kh", user_known_hosts=tmp / "ukh",
                                             accept_fingerprint=server.fingerprint()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=12)
    parser.add_argument("--slow-seconds", type=float, default=3.0)
    args = parser.parse_args()
    import sshd_support

    ensure_image()
    with tempfile.TemporaryDirectory(prefix="bench-ssh-") as tmp_name:
        tmp = Path(tmp_name)
        model = write_sample_model(tmp / "src" / "yolo11n.onnx")
        generate_sample_images(tmp / "images", count=args.images)
        staged = stage_workspace(ConversionChoices(model=str(model), images=str(tmp / "images"),
                                                   out=str(tmp / "ws"), calibration_count=args.images,
                                                   toolchain_image=IMAGE))
        server = sshd_support.make_server(tmp / "sshd")
        try:
            r = runner(server, tmp)
            began = time.monotonic()
            r._connection()
            print(f"connect_seconds={time.monotonic() - began:.3f}")
            list(r.prepare())
            t = time.monotonic()
            list(r.upload(staged.workdir))
            print(f"upload_seconds={time.monotonic() - t:.3f}")
            print(f"workspace_bytes={sum(p.stat().st_size for p in staged.workdir.rglob('*') if p.is_file())}")
            print(f"upload_bytes={r.uploaded_bytes}")
            list(r.run())
            ended = time.time()
            run_dir = server.home / ".recamera-wizard" / "runs" / r.run_id
            job_start = (run_dir / ".wizard-run.pid").stat().st_mtime
            job_end = (run_dir / "exit_code").stat().st_mtime
            print(f"job_seconds={job_end - job_start:.3f}")
            print(f"stream_lag_seconds={max(0.0, ended - job_end):.3f}")
            t = time.monotonic()
            list(r.download(tmp / "results"))
            print(f"download_seconds={time.monotonic() - t:.3f}")
            list(r.cleanup())
            print(f"total_seconds={time.monotonic() - began:.3f}")

            (staged.workdir / "toolchain_double_faults.json").write_text(
                f'{{"calibrate": {{"slow_seconds": {args.slow_seconds}}}}}')
            r = runner(server, tmp)
            list(r.prepare())
            list(r.upload(staged.workdir))
            killed_at: list[float] = []
            back_at: list[float] = []
            lines: list[str] = []
            for event in r.run():
                if isinstance(event, LogLine) and event.stream == "runner" and event.text.startswith("reconnected"):
                    back_at.append(time.monotonic())
                if isinstance(event, LogLine) and event.stream != "runner":
                    lines.append(event.text.rstrip())
                    if not killed_at and event.text.startswith("[wizard] step calibrate started"):
                        for pid in server.session_pids():
                            os.kill(pid, signal.SIGKILL)
                        killed_at.append(time.monotonic())
            log = (server.home / ".recamera-wizard" / "runs" / r.run_id / "convert.log").read_bytes()
            splitter = LineSplitter()
            expected = [line.text.rstrip() for line in splitter.feed(log) + splitter.flush()
                        if is_log_line(line.text, line.redraw)]
            list(r.cleanup())
            if killed_at and back_at:
                print(f"reconnect_gap_seconds={back_at[0] - killed_at[0]:.3f}")
            print(f"reconnect_lines_equal={int(lines == expected)}")
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
