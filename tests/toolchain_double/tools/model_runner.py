#!/usr/bin/env python3
# TEST DOUBLE of tpu_mlir's python/tools/model_runner.py (see ../README.md). Run directly (a source
# build's PATH) or through ../bin/model_runner (the wheel's wrapper). Never offered to users as a toolchain.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
from tpu_mlir_double.model_runner import main  # noqa: E402

sys.exit(main())
