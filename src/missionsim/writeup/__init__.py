"""Writing results up: Markdown and HTML rendering, figures and the generated documents.

This layer reads results and analyses; it never imports the model's internals.
"""
