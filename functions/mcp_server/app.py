"""POST /mcp: the catalog's tools over MCP (Streamable HTTP, stateless, JSON responses)."""

from model_catalog.handler import make_handler

lambda_handler = make_handler("mcp_server")
