"""Vietnamese text analysis and search backends for CNHT Portal."""
