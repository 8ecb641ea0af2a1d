"""The local AWS (a patched moto server) and its seeding, shared by tests and `make demo`."""
