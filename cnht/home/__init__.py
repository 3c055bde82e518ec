"""The front page and the staff dashboard: read-only overviews of every feature."""
