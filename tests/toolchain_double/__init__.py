"""Test helpers around the TPU-MLIR test double (see README.md)."""
