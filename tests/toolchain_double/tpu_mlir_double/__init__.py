"""TEST DOUBLE of the TPU-MLIR v1.7 command-line tools (model_transform, run_calibration,
model_deploy, model_tool, npz_tool.py).

It honours the contract in docs/toolchain.md with the Python standard library only, so it runs in
a bare Debian image. It does no real conversion: files have the right names and layouts but
placeholder contents. Never offer it to users as a toolchain.
"""

VERSION = "v1.7.0-double"
