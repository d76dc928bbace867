"""The HTTP face of the catalog: request parameters, response bodies, error dialects."""
