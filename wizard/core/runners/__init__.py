"""Where the toolchain runs: one protocol (protocol.py), two backends (Docker, SSH)."""
