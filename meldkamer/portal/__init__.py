"""The client portal: accounts of a client's staff, sessions and change requests."""
