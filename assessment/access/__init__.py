"""Who may see results: facilitator authentication and login throttling."""
