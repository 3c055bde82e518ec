"""Buyer tools: shortlists of suppliers and inquiries to a supplier (the SME's inbox)."""
