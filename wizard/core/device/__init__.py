"""Deploying a converted model to the reCamera (Qt-free; the GUI calls it through an executor).

Public API:
- :class:`ReCameraClient` (client.py): blocking supervisor client — discover(), version(),
  user_info(), login(), model_info(), model_file(), upload_model(), the fileMgr calls.
- :func:`plan_deploy` / :func:`run_deploy` (deploy.py): the deploy as a plan plus a generator of
  typed events (wizard.core.events).
- :func:`restore_previous` (restore.py): ``deploy --restore``, the model and flow a deploy replaced.
- :func:`read_live_results` (live_check.py): a few live frames with boxes drawn.
- :mod:`nodered_flow` (pure Node-RED flow edits), :mod:`model_json`, :mod:`backup` (restore
  points), :mod:`ssh_deploy`, :mod:`answers` (every device answer, checked).
"""

from wizard.core.device.address import DeviceAddress
from wizard.core.device.client import DeviceStatus, ReCameraClient
from wizard.core.device.deploy import DeployPlan, DeployRequest, plan_deploy, run_deploy
from wizard.core.device.errors import DeviceError
from wizard.core.device.restore import RestoreRequest, restore_previous

__all__ = [
    "DeviceAddress",
    "DeviceError",
    "DeviceStatus",
    "ReCameraClient",
    "DeployPlan",
    "DeployRequest",
    "plan_deploy",
    "run_deploy",
    "RestoreRequest",
    "restore_previous",
]
