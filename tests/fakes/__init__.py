"""Real servers standing in for outside APIs in tests."""
