"""The web UI: pages for people, beside the API (ARCHITECTURE: web/)."""
