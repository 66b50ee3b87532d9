"""Settings the tests share across their packages (root, api, acceptance)."""

#: the key the tests' apps seal sensitive fields with, as OAFLOW_KEYS gives it (SEC-3)
TEST_KEYS = "test1:dGhlIGtleSBvZiB0aGUgdGVzdHM6IDMyIGJ5dGVzISE="
