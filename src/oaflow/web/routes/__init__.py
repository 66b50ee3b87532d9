"""The pages, by area."""
