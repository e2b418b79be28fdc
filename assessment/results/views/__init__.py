"""The view models of a campaign's results: one module per view (participation, flywheel and
estimates, heatmap, coverage and don't know, targets, discussion, recommendations, actions, change,
roles, benchmark, reliability with its language check, live mode), each a builder from the
privacy-checked release's frames. The dashboard and the report render the same builders, gathered
for one group in `assessment.results.views.model.ResultsModel`.
"""
