"""The device's exceptions, shared by the clients (HTTP, Node-RED, SSH) and the deploy."""

from __future__ import annotations

from wizard.core.messages import WizardError


class DeviceError(WizardError):
    """A problem with the device or the link to it (CLI exit code 4), not with the user's input."""


class UploadInterrupted(DeviceError):
    """The connection broke during the upload; the device's active model was not replaced."""

    def __init__(self, problem_, done: int, total: int):
        super().__init__(problem_)
        self.done = done
        self.total = total


class Cancelled(Exception):
    """The caller's cancel event was set between two requests."""
