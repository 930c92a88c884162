"""Check a produced .cvimodel from its header (toolchain.md, "The .cvimodel file").

CONTRACT (implemented by the log/model-file work; deploy and the runners rely on it):

    check_cvimodel(path) -> CviModelReport   # never raises for bad files: problems instead
    CviModelReport: ok, chip, size, version, body_size, problems, to_dict()
"""
