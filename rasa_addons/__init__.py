"""Rasa server plug-ins (tracker store, and later the lock store), configured in endpoints.yml."""
