"""Calibration pictures, from a user's folder to the JPEGs the toolchain accepts.

Lower modules never import higher ones (import-linter contract in pyproject.toml):

- stage.py    prepare_calibration_set: the whole set, swapped into the output folder when complete
- select.py   which files make the set: the two passes, duplicates, seeded sample, representative
- convert.py  one picture -> an upright RGB JPEG (prepare_image for the test image)
- sources.py  folders walked without decoding (scan_sources) and zips unpacked under limits
- preview.py  make_thumbnail for the GUI's grid
- decode.py   opening a file safely (trusted plugins, bomb limit) and decoding it to 8-bit RGB
- sniff.py    what a file is from its first bytes
- report.py   the set's report records and its size limits (no Pillow)
- samples.py  synthetic sample scenes drawn by our own code
"""
