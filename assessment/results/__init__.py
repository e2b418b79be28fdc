"""Results as published: privacy-checked releases of a campaign's answers (DESIGN §7)."""
