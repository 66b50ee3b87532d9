"""The REST API (INT-1, SEC-1..6): FastAPI routers over the services, problem+json errors,
sign-in by session cookie or API token. The API is where identity is proven."""
