"""One module per wizard page; each only attaches widgets to wizard.core.app.wizard_flow."""
