"""The Bedrock model catalog: domain, ports and adapters, API dialects, and the wiring between them.

Rooms, from the inside out (imports only ever point inward):
- ``domain``: pure Python. Normalising Bedrock summaries, the merged catalog, aliases, pagination,
  search and the route table. Never imports boto3.
- ``errors``: the project's own exceptions, raised by every room.
- ``ports``: the interfaces the service needs from the outside world.
- ``service``: the cache tiers (memory, store, source) and the refresh policy.
- ``adapters``: boto3 (Bedrock, DynamoDB), the snapshot file, the API key source.
- ``api``: request parameters, response bodies, the error dialects (Anthropic, OpenAI, JSON-RPC) and MCP.
- ``runtime``: the composition root, built once per container at cold start.
"""

__version__ = "0.1.0"  # the project's version (pyproject.toml); MCP's serverInfo reports it
