"""The survey respondents answer: the link, the page flow, saving and submitting, QR codes."""
