"""Every runner is built here, from a plain ``RunnerSpec``: the CLI, the GUI and re-attach share
one path, so a choice the user made (a key passphrase, building the image on the VM) reaches the
runner whichever face the user came through.

A backend is a name in ``BACKENDS`` and a builder; a new place to run the toolchain is one more
entry here, behind the same runner protocol.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from wizard.core.messages import WizardError
from wizard.core.plan.recipe import ConversionRecipe
from wizard.core.runners.protocol import RunHandle, Runner
from wizard.core.ssh.options import HostKeyPolicy, SshCredentials

DOCKER = "docker"  # the local Docker engine (Docker Desktop)
VM_DOCKER = "ssh"  # the user's Linux VM over SSH, the toolchain in Docker there
NATIVE = "native"  # this Linux computer, the toolchain in a venv of its CPython 3.10 (no Docker)
VM_NATIVE = "ssh-native"  # the user's Linux VM over SSH, the toolchain in a venv there


@dataclass(frozen=True)
class RunnerSpec:
    """Where and how to run: everything a runner needs that is not in the recipe.

    Secrets are held in memory only (never in repr, job.json or logs).
    """

    backend: str = DOCKER
    image: str = ""  # the toolchain image; empty = the recipe's
    # The VM (SSH backends):
    host: str = ""  # user@host[:port]
    key_file: str | None = None
    password: str | None = field(default=None, repr=False)
    key_passphrase: str | None = field(default=None, repr=False)
    accept_fingerprint: str | None = None
    setup_consent: bool = False  # the user let the wizard install what the VM lacks
    build_image: bool = False  # the user let the VM build a missing toolchain image
    # The native backends (no Docker):
    python: str | None = None  # the CPython 3.10 to make the toolchain environment with
    toolchain_bin: str | None = None  # an existing environment's bin/ (experts)
    create_environment: bool = False  # the user let the wizard make the environment (~1.4 GB, once)
    docker_client: Any = field(default=None, repr=False, compare=False)  # tests: an engine client

    def ssh_credentials(self) -> SshCredentials:
        """How the SSH backends log in to the VM (the agent is tried too)."""
        return SshCredentials(key_file=self.key_file, password=self.password, key_passphrase=self.key_passphrase)

    def host_key_policy(self) -> HostKeyPolicy:
        """The default known_hosts files, and the fingerprint the user accepted, if any."""
        return HostKeyPolicy(accept_fingerprint=self.accept_fingerprint)


def _docker(spec: RunnerSpec, recipe: ConversionRecipe, run_id: str) -> Runner:
    from wizard.core.runners.docker.runner import DockerRunner  # docker SDK: imported when used

    return DockerRunner(spec.image or recipe.toolchain_image, run_id, recipe=recipe, client=spec.docker_client)


def _vm_docker(spec: RunnerSpec, recipe: ConversionRecipe, run_id: str) -> Runner:
    from wizard.core.runners.vm.runner import SshRunner  # paramiko: imported when used

    return SshRunner(spec.host, image=spec.image or recipe.toolchain_image, run_id=run_id or None, **_vm_options(spec))


def _vm_options(spec: RunnerSpec) -> dict[str, Any]:
    """SshRunner's login, host keys and consents from the spec."""
    from wizard.core.runners.vm.runner import VmConsents

    return {"credentials": spec.ssh_credentials(), "host_keys": spec.host_key_policy(),
            "consents": VmConsents(setup_consent=spec.setup_consent, build_image=spec.build_image)}


def _vm_native_options(spec: RunnerSpec, recipe: ConversionRecipe) -> dict[str, Any]:
    """NativeSshRunner's: the login and host keys, the set-up consent, the environment's options."""
    return {"credentials": spec.ssh_credentials(), "host_keys": spec.host_key_policy(),
            "setup_consent": spec.setup_consent, **_native_options(spec, recipe)}


def _native_options(spec: RunnerSpec, recipe: ConversionRecipe) -> dict[str, Any]:
    return {"python": spec.python, "tpu_mlir_version": recipe.tpu_mlir_version,
            "toolchain_bin": spec.toolchain_bin, "create_environment": spec.create_environment}


def _native(spec: RunnerSpec, recipe: ConversionRecipe, run_id: str) -> Runner:
    from wizard.core.runners.native.local import NativeRunner

    # The password, when given, is for sudo during a consented set-up of this computer.
    return NativeRunner(run_id or None, setup_consent=spec.setup_consent, sudo_password=spec.password,
                        **_native_options(spec, recipe))


def _vm_native(spec: RunnerSpec, recipe: ConversionRecipe, run_id: str) -> Runner:
    from wizard.core.runners.native.vm import NativeSshRunner  # paramiko: imported when used

    return NativeSshRunner(spec.host, run_id=run_id or None, **_vm_native_options(spec, recipe))


def _docker_attach(spec: RunnerSpec, handle: RunHandle, recipe: ConversionRecipe, skip_lines: int,
                   workspace: Path) -> Runner:
    from wizard.core.runners.docker.runner import DockerRunner

    return DockerRunner.reattach(handle.run_id, image=spec.image or recipe.toolchain_image,
                                 skip_lines=skip_lines, recipe=recipe, client=spec.docker_client)


def _vm_docker_attach(spec: RunnerSpec, handle: RunHandle, recipe: ConversionRecipe, skip_lines: int,
                      workspace: Path) -> Runner:
    from wizard.core.runners.vm.runner import SshRunner

    # From byte 0, skipping the lines convert.log already has: the recorded byte offset can be
    # ahead of the lines handed out (the runner reads in chunks), and a log is small.
    return SshRunner.attach(handle, offset=0, skip_lines=skip_lines, **_vm_options(spec))


def _native_attach(spec: RunnerSpec, handle: RunHandle, recipe: ConversionRecipe, skip_lines: int,
                   workspace: Path) -> Runner:
    from wizard.core.runners.native.local import NativeRunner

    return NativeRunner.attach(handle, workspace, offset=0, skip_lines=skip_lines, setup_consent=spec.setup_consent,
                               sudo_password=spec.password, **_native_options(spec, recipe))


def _vm_native_attach(spec: RunnerSpec, handle: RunHandle, recipe: ConversionRecipe, skip_lines: int,
                      workspace: Path) -> Runner:
    from wizard.core.runners.native.vm import NativeSshRunner

    return NativeSshRunner.attach(handle, offset=0, skip_lines=skip_lines, **_vm_native_options(spec, recipe))


Builder = Callable[[RunnerSpec, ConversionRecipe, str], Runner]
Attacher = Callable[[RunnerSpec, RunHandle, ConversionRecipe, int, Path], Runner]

BACKENDS: dict[str, tuple[Builder, Attacher]] = {
    DOCKER: (_docker, _docker_attach),
    VM_DOCKER: (_vm_docker, _vm_docker_attach),
    NATIVE: (_native, _native_attach),
    VM_NATIVE: (_vm_native, _vm_native_attach),
}


def _backend(name: str, context: str) -> tuple[Builder, Attacher]:
    try:
        return BACKENDS[name]
    except KeyError:
        raise WizardError.of("backend_unavailable", backend=name, detail=context) from None


def build_runner(spec: RunnerSpec, recipe: ConversionRecipe, run_id: str = "") -> Runner:
    """A runner for a new run of ``recipe``."""
    builder, _ = _backend(spec.backend, "unknown backend")
    return builder(spec, recipe, run_id)


def attach_runner(spec: RunnerSpec, handle: RunHandle, recipe: ConversionRecipe, *, workspace: Path,
                  skip_lines: int = 0) -> Runner:
    """A runner reconnected to a run started earlier (``handle`` from its job record, in
    ``workspace``); the record's backend wins over the spec's, the spec brings the secrets and
    consents."""
    _, attacher = _backend(handle.backend, f"job record of {handle.run_id}")
    return attacher(spec, handle, recipe, skip_lines, Path(workspace))


def check_vm(spec: RunnerSpec, recipe_image: str = ""):
    """The VM as a conversion there would find it (the GUI's "Test connection"), unchanged:
    may raise HostKeyUnknown (with ``.fingerprint``) or HostKeyChanged."""
    from wizard.core.runners.vm.runner import SshRunner

    runner = SshRunner(spec.host, image=spec.image or recipe_image or None, **_vm_options(spec))
    try:
        return runner.check()
    finally:
        runner.close()
