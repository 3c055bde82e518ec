"""Capability assessment (đánh giá, xác nhận năng lực) of suppliers by Department staff."""
