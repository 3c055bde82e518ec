"""Import jobs run from the web UI and the duplicate-review queue for rows without a tax code."""
