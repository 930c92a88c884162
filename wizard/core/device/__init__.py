"""Deploying a converted model to the reCamera (Qt-free; the GUI calls it through an executor).

Public API:
- :class:`ReCameraClient` (client.py): blocking supervisor client — discover(), version(),
  user_info(), login(), model_info(), model_file(), upload_model().
- :func:`plan_deploy` / :func:`run_deploy` / :func:`restore_flow` (deploy.py): the deploy as a
  plan plus a generator of typed events (wizard.core.events).
- :func:`read_live_results` (live_check.py): a few live frames with boxes drawn.
- :mod:`flows` (pure Node-RED flow edits), :mod:`model_json`, :mod:`backup`, :mod:`ssh_deploy`.
"""

from wizard.core.device.client import DeviceAddress, DeviceError, DeviceStatus, ReCameraClient
from wizard.core.device.deploy import DeployPlan, DeployRequest, plan_deploy, restore_flow, run_deploy

__all__ = [
    "DeviceAddress",
    "DeviceError",
    "DeviceStatus",
    "ReCameraClient",
    "DeployPlan",
    "DeployRequest",
    "plan_deploy",
    "run_deploy",
    "restore_flow",
]
