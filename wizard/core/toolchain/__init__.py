"""What the TPU-MLIR toolchain produces and prints, read for the wizard."""
