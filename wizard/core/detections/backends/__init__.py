"""Where model_runner runs for the detection check: where the conversion ran, with the same toolchain.

    local_docker.DockerModelRunner   a container of the toolchain image on the local engine
    vm_docker.VmModelRunner          the VM's Docker over SSH (the conversion's RunnerSpec)
    native.NativeModelRunner         the TPU-MLIR environment of a native conversion, here
    batch                            what they share: the files sent, the driver's lines, errors
    batch_driver                     the driver itself (standard library only), run over there

``backend_for`` picks one from the conversion's RunnerSpec, or from what results.json recorded
when the check runs later on its own (``recamera-wizard compare``). Each module is imported only
when used: the docker SDK and paramiko are slow to import.
"""

from __future__ import annotations

from typing import Any, Mapping

from wizard.core.detections.check import ModelRunnerBackend
from wizard.core.messages import WizardError
from wizard.core.runners.factory import DOCKER, VM_DOCKER, RunnerSpec

NATIVE = "native"  # wizard.core.runners.native.local.BACKEND


def backend_for(spec: RunnerSpec | None, image: str, results: Mapping[str, Any] | None = None) -> ModelRunnerBackend:
    """The backend for ``spec`` (the conversion's choice), or, without one, for the place
    results.json says the conversion ran (no secrets are recorded: an SSH key in the agent or
    ~/.ssh, as ``ssh`` itself would find it)."""
    results = results or {}
    if spec is None:
        backend = str(results.get("backend") or DOCKER)
        if backend == NATIVE:
            from wizard.core.detections.backends.native import NativeModelRunner

            return NativeModelRunner.from_record((results.get("toolchain_image") or {}).get("native") or {})
        spec = RunnerSpec(backend=backend, host=str(results.get("where") or "") if backend == VM_DOCKER else "")
    if spec.backend == DOCKER:
        from wizard.core.detections.backends.local_docker import DockerModelRunner

        return DockerModelRunner(spec.image or image, client=spec.docker_client)
    if spec.backend == VM_DOCKER:
        from wizard.core.detections.backends.vm_docker import VmModelRunner

        if not spec.host:
            raise WizardError.of("ssh_host_required")
        return VmModelRunner.from_spec(spec, image)
    raise WizardError.of("detections_backend_unknown", backend=spec.backend)
