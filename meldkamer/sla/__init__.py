"""SLA clocks per urgency, their breaches and the escalation chain; transfers to the client."""
