"""Rich rendering of results for the terminal: the only formatting of output below main.py."""
