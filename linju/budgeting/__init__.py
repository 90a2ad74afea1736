"""Residents' participatory-budgeting votes on a foundation programme's applications."""
