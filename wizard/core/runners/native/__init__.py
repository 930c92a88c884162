"""The native backend: TPU-MLIR in a Python 3.10 environment instead of the toolchain image.

    local.NativeRunner      on this computer (Linux, WSL2)
    vm.NativeSshRunner      on the user's Linux VM over SSH (the SSH runner with native hooks)
    setup.NativeSetup       checks, the consented apt-get set-up and the environment, over a shell
    environment, host,      the pure parts: the environment's key, build script and state probe;
    commands                the host probe and its problems; the run's sh command lines

Imported by module (``from wizard.core.runners.native.local import NativeRunner``): vm.py pulls
in paramiko, which the local runner does not need.
"""
