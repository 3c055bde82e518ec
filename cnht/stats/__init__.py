"""Statistics: counts by sector, province, size, certification, founding decade and growth."""
