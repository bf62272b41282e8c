"""Use cases: each takes plain values and an actor, runs in one transaction, returns values."""
