"""Rich rendering of results for the terminal, one module per kind of result."""
