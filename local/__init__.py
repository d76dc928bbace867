"""Run the API on this machine without Docker: `python -m local.server`.

The routes come from template.yaml; each request becomes an API Gateway HTTP API (payload 2.0) event
and is handled in-process by the function's `lambda_handler`, with the shared layer on sys.path.
"""
