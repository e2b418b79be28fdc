"""The demo organisation: generating its answers and seeding it into a database."""
