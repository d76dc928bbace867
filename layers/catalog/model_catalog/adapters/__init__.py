"""Adapters: the only modules that talk to AWS or the file system."""
