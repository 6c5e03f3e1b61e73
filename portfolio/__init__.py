"""A portfolio: many projects, each reviewed as its own run, summarised in one table."""
