"""The view models of a campaign's results: one module per view (participation, flywheel and
estimates, heatmap, targets, discussion, recommendations, actions, roles, benchmark, reliability,
live mode), each a builder from the privacy-checked release's frames. The dashboard and the report
render the same builders (`assessment.results.views.model.ResultsModel`).
"""
