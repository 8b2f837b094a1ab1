"""Version-free objects the hub reasons about: platforms, parties, endpoints, agreements,
profiles, and the deliveries it owes (outbox items)."""
