"""What leaves the product: responses, scores and benchmark files and the HTML report."""
