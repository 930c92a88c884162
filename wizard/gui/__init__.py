"""The wizard window (PySide6 + qasync): a thin layer of widgets over wizard.core."""
