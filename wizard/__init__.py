"""reCamera Model Wizard: from a trained YOLO ONNX model to a reCamera running it."""

__version__ = "0.1.0"
