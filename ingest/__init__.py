"""Importers and exporters for the enterprise spreadsheets staff really have."""
