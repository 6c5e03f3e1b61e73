"""gatereview command line: review design documents, decide on reviews, read the results."""

from cli.app import app, cli

__all__ = ["app", "cli"]

if __name__ == "__main__":
    cli()
