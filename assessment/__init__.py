"""The work-management maturity application: questionnaires, campaigns, storage, exports and the CLI.

Statistics live in the pure `scoring` package; this package turns files and databases into its inputs.
"""

__version__ = "0.1.0"
