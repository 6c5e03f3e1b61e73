"""Shared vocabulary every layer imports: models, errors and text escaping."""
