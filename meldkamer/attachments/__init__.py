"""Photos tenants send: checked, stored outside the database, linked to the melding."""
