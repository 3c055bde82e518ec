"""Imports: enterprise lists from spreadsheets (CLI and web, with a background job), duplicate
detection for rows without a tax code and the staff review queue. Reading and writing the files
is the ``ingest`` library's work."""
