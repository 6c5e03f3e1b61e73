"""Run management: start, list, decide and resume review runs; their locks, health, audit."""
