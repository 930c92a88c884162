"""Workshop mode: an instructor's kit and one shared conversion server for the room."""
