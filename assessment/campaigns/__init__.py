"""Campaigns: units and head-counts, targets, links and invitations, action items, importing responses."""
