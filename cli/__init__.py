"""The command line: the Typer app, its commands, and the terminal rendering of their results."""
