"""Where the toolchain runs, as the command line says it: the options ``convert`` and ``compare``
share, and the factory's RunnerSpec made from them (secrets from the environment variables the
user named, never from the command line)."""

from __future__ import annotations

import argparse
import os


def add_ssh_arguments(group: argparse._ArgumentGroup) -> None:
    """How to reach and log in to the VM."""
    group.add_argument("--host", metavar="USER@HOST[:PORT]", help="the VM, for --backend ssh")
    group.add_argument("--key", metavar="FILE", help="SSH private key")
    group.add_argument("--password-env", metavar="VAR",
                       help="name of an environment variable holding the SSH password (never pass it as an argument)")
    group.add_argument("--accept-host-key", metavar="SHA256:...",
                       help="confirm the VM's host key fingerprint (shown on first contact)")
    group.add_argument("--key-passphrase-env", metavar="VAR",
                       help="name of an environment variable holding the SSH key's passphrase")


def runner_spec(args: argparse.Namespace, *, image: str = ""):
    """The command line's choice of where to run, as wizard.core.runners.factory's RunnerSpec."""
    from wizard.core.runners.factory import RunnerSpec

    def secret(var: str | None) -> str | None:
        return os.environ.get(var) if var else None

    return RunnerSpec(backend=args.backend, image=image, host=args.host or "", key_file=args.key,
                      password=secret(args.password_env), key_passphrase=secret(args.key_passphrase_env),
                      accept_fingerprint=args.accept_host_key, setup_consent=getattr(args, "allow_setup", False),
                      build_image=getattr(args, "build_image_on_vm", False))
