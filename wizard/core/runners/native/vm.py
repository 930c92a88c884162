"""The native backend on the user's Linux VM: convert.sh in a TPU-MLIR Python environment there.

Everything that moves files and follows the run is the SSH runner's (connection, host keys,
upload, the detached wrapper, log streaming by offset, reconnects, re-attach, download): this
class only fills its hooks. It gets the VM ready with NativeSetup (the same checks, consented
apt-get set-up and environment as on this computer, over the SSH connection), runs
``PATH=<env>/bin:$PATH bash convert.sh`` instead of ``docker run ...``, and stops and removes
the run by its process group instead of a container.
"""

from __future__ import annotations

import json
import posixpath
import threading
from pathlib import Path
from typing import Generator, Iterator

from wizard.core.events import Event, ProblemRaised
from wizard.core.messages import WizardError
from wizard.core.plan.recipe import DEFAULT_TPU_MLIR_VERSION, RECIPE_FILE, ConversionRecipe
from wizard.core.ssh import remote_shell as rs
from wizard.core.runners.native import commands
from wizard.core.runners.native.setup import NativeReport, NativeSetup, default_env_root
from wizard.core.runners.native.shell import ShellResult
from wizard.core.ssh.connection import CONNECTION_ERRORS, ConnectionLost, SshTarget
from wizard.core.ssh.options import HostKeyPolicy, SshCredentials, SshTimings
from wizard.core.runners.vm.runner import SshRunner, VmConsents

BACKEND = "ssh-native"


class _VmShell:
    """NativeSetup's shell on the VM: the runner's own connection."""

    def __init__(self, runner: "NativeSshRunner") -> None:
        self.runner = runner
        self.where = str(runner.target)

    def _lost(self) -> WizardError:
        return WizardError.of("vm_reconnect_failed", target=self.where, seconds=0, run_id=self.runner.run_id)

    def run(self, command: str, *, stdin: bytes | None = None, timeout: float | None = 120.0) -> ShellResult:
        try:
            result = self.runner._connection().run(command, stdin=stdin, timeout=timeout)
        except ConnectionLost:
            raise self._lost() from None
        return ShellResult(result.exit_code, result.out, result.err)

    def stream(self, command: str, cancel_requested: threading.Event) -> Generator[bytes, None, int | None]:
        output = self.runner._connection().stream(command)
        try:
            while True:
                if cancel_requested.is_set():
                    # Closing the channel: the build's next write fails and it stops; what it left
                    # has no marker, so it is never used and is redone next time.
                    output.close()
                    return None
                yield next(output)
        except StopIteration as done:
            return done.value
        except ConnectionLost:
            raise self._lost() from None


class NativeSshRunner(SshRunner):
    backend = BACKEND

    def __init__(
        self,
        target: str | SshTarget,
        *,
        credentials: SshCredentials = SshCredentials(),
        host_keys: HostKeyPolicy = HostKeyPolicy(),
        timings: SshTimings = SshTimings(),
        setup_consent: bool = False,
        python: str | None = None,
        tpu_mlir_version: str = DEFAULT_TPU_MLIR_VERSION,
        env_root: str | None = None,
        toolchain_bin: str | None = None,
        create_environment: bool = False,
        run_id: str | None = None,
        remote_root: str = rs.DEFAULT_REMOTE_ROOT,
        live_log: str | Path | None = None,
    ) -> None:
        """``credentials``, ``host_keys``, ``timings``, ``run_id``, ``remote_root``, ``live_log``:
        as SshRunner's. ``setup_consent``: the user let the wizard run the apt-get set-up through
        sudo. On the VM: ``python`` a CPython 3.10 (None: found there), ``env_root`` where
        environments go (default ~/.recamera-wizard/toolchains), ``toolchain_bin`` a TPU-MLIR
        installed there some other way, ``create_environment`` the user's consent to make the
        environment there."""
        super().__init__(target, credentials=credentials, host_keys=host_keys, timings=timings,
                         consents=VmConsents(setup_consent=setup_consent), run_id=run_id, remote_root=remote_root,
                         live_log=live_log)
        self._env_root_option = env_root
        self._python_option = python
        self.setup = NativeSetup(
            _VmShell(self),
            env_root="",  # known once connected (relative to the login's home)
            tpu_mlir_version=tpu_mlir_version,
            toolchain_bin=toolchain_bin,
            create_environment=create_environment,
            setup_consent=self.consents.setup_consent,
            password=self.credentials.password,
            cancel_requested=self._cancel_requested,
        )

    def _on_the_vm(self, path: str) -> str:
        home = self._ensure_home()
        if path.startswith("~/"):
            return posixpath.join(home, path[2:])
        return path if path.startswith("/") else posixpath.join(home, path)

    def _resolve_paths(self) -> None:
        self.setup.env_root = (self._on_the_vm(self._env_root_option) if self._env_root_option
                               else default_env_root(self._ensure_home()))
        self.setup.python = self._on_the_vm(self._python_option) if self._python_option else None
        if self.setup.toolchain_bin:
            self.setup.toolchain_bin = self._on_the_vm(self.setup.toolchain_bin)

    def check(self, recipe: ConversionRecipe | None = None) -> NativeReport:  # type: ignore[override]
        """Connect (host key checked), probe the VM and say what a native conversion there would
        need, without changing anything on it."""
        self._connection()
        self._resolve_paths()
        return self.setup.check(recipe)

    def run(self) -> Iterator[Event]:
        record = f"{self.remote_dir}/{commands.TOOLCHAIN_RECORD}"
        if not self._started:
            self._checked(rs.write_file_command(self.remote_dir, commands.TOOLCHAIN_RECORD), "write the toolchain record",
                          stdin=json.dumps(self._facts.image).encode("utf-8"))
        elif not self._facts.image:  # re-attached: what the run uses was recorded when it started
            try:
                with self._connection().sftp().open(record, "rb") as f:
                    self._facts.image = json.loads(f.read(1 << 20).decode("utf-8"))
            except (ConnectionLost, WizardError, ValueError, *CONNECTION_ERRORS):
                pass  # the bundle then names the recipe's image only
        yield from super().run()

    # --- SshRunner's hooks ---------------------------------------------------------------------

    def _prepare_host(self) -> Iterator[Event]:
        self._resolve_paths()
        yield from self.setup.prepare()

    def _toolchain_for(self, workspace: Path, recipe_image: str) -> Iterator[Event]:
        recipe = ConversionRecipe.load(Path(workspace) / RECIPE_FILE)
        for warning in self.setup.recipe_problems(recipe):
            yield ProblemRaised(warning, step="upload")
        self._facts.image = self.setup.toolchain_record(recipe)

    def _convert_command(self) -> str:
        return commands.convert_command(self.setup.bin_dir or "")

    def _cancel_command(self) -> str:
        return commands.cancel_command(self.remote_dir)

    def _cleanup_command(self) -> str:
        return commands.cleanup_command(self.remote_dir)


__all__ = ["NativeSshRunner", "BACKEND"]
