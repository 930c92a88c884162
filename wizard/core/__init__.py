"""The Qt-free core of the wizard: everything that decides what to run and reads what came back.

Nothing under ``wizard.core`` may import Qt (enforced by tests/test_architecture.py); the GUI and
the CLI are two thin layers over it.
"""
