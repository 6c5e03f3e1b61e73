"""The offline screen: finds the passages a reviewer should read for each criterion, and tells
silence, placeholders, uncommitted text and deferrals apart from statements. It never judges
whether a criterion is met, so its gates are never `ready` (see README.md here).

Entry point: `Screen(index).screen(criterion)`. Definitions live in `markers.toml`; change
them there, and add a row to `tests/screen/test_screen_readings.py` for each passage that
motivated it.
"""
