"""Presenting the services' typed views to people: words in Chinese or English, local
times, the progress table's status texts, views as JSON. Shared by the adapters (CLI, API,
web); the services never format."""
