"""Exports of a run for the places people already work: SARIF, HTML and a PR comment."""
