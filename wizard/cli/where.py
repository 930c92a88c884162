"""Where the toolchain runs, as the command line says it: the options ``convert`` and ``compare``
share, and the factory's RunnerSpec made from them (secrets from the environment variables the
user named, never from the command line)."""

from __future__ import annotations

import argparse
import os


def add_ssh_arguments(group: argparse._ArgumentGroup) -> None:
    """How to reach and log in to the VM."""
    group.add_argument("--host", metavar="USER@HOST[:PORT]", help="the VM, for --backend ssh or ssh-native")
    group.add_argument("--key", metavar="FILE", help="SSH private key")
    group.add_argument("--password-env", metavar="VAR",
                       help="name of an environment variable holding the SSH password, also given to sudo for --allow-setup "
                       "(--backend native: your password for sudo here); never pass it as an argument")
    group.add_argument("--accept-host-key", metavar="SHA256:...",
                       help="confirm the VM's host key fingerprint (shown on first contact)")
    group.add_argument("--key-passphrase-env", metavar="VAR",
                       help="name of an environment variable holding the SSH key's passphrase")


def add_native_arguments(group: argparse._ArgumentGroup) -> None:
    """The Docker-free backends: which Python and which TPU-MLIR environment."""
    group.add_argument("--python", metavar="PATH",
                       help="native backends: the CPython 3.10 to make the environment with (default: found)")
    group.add_argument("--toolchain-bin", metavar="DIR",
                       help="native backends: the bin folder of a TPU-MLIR installed some other way (no environment is made)")
    group.add_argument("--create-environment", action="store_true",
                       help="native backends: make the TPU-MLIR environment when it is missing (~400 MB download, 1.4 GB)")


def runner_spec(args: argparse.Namespace, *, image: str = ""):
    """The command line's choice of where to run, as wizard.core.runners.factory's RunnerSpec."""
    from wizard.core.runners.factory import RunnerSpec

    def secret(var: str | None) -> str | None:
        return os.environ.get(var) if var else None

    return RunnerSpec(backend=args.backend, image=image, host=args.host or "", key_file=args.key,
                      password=secret(args.password_env), key_passphrase=secret(args.key_passphrase_env),
                      accept_fingerprint=args.accept_host_key, setup_consent=getattr(args, "allow_setup", False),
                      build_image=getattr(args, "build_image_on_vm", False), python=getattr(args, "python", None),
                      toolchain_bin=getattr(args, "toolchain_bin", None),
                      create_environment=getattr(args, "create_environment", False))
