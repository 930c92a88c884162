"""The detection check: what quantization did to the detections, on the user's own pictures.

Modules, lowest first (each imports only those above it in this list):
    letterbox.py  the toolchain's letterbox (bit-exact), the int8 and float inputs, npz files,
                  boxes mapped back to the original picture
    heads.py      which outputs are the six detection heads (by name and shape), the task, which
                  decoder the camera will pick
    decode.py     the camera's Yolo11 decoder and NMS (its quirks included), Ultralytics' as
                  reference, int8 outputs with the camera's swapped scales
    match.py      float vs INT8 per picture and over all pictures, the verdict and what to try
    report.py     detections.json (pydantic, schema version 1)
    draw.py       detections/NN_<name>.png, original | INT8 side by side
    check.py      the orchestration: pictures, inputs, the ModelRunnerBackend protocol the runners
                  implement, the raw-output cache, events, the report
    backends/     where model_runner runs: local Docker, the VM's Docker over SSH, natively
    service.py    the check of a finished run folder, as the CLI and the GUI start it

Entry point for a run folder: ``service.run_check(run_dir, spec=..., pictures_dir=..., count=...,
thresholds=...)`` yields typed events and ends with a Result naming detections.json; underneath,
``check.DetectionCheck(target, pictures, backend, CheckOptions(...)).run()``.
"""
