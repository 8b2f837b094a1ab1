"""Version-free objects the hub reasons about: platforms, parties, endpoints, OCPI documents."""
