"""Enterprises: the supporting-industry firms, their capabilities and their audit trail."""
