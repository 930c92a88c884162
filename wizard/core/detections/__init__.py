"""The detection check: what quantization did to the detections, on the user's own pictures."""
