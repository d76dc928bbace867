"""template.yaml's API on this machine, without Docker: `python -m local.server` (see local/server.py)."""
