"""Powertools Logger, Tracer and Metrics, one of each per container, shared by every handler."""

from __future__ import annotations

import logging

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers

SERVICE = "bedrock-model-catalog"

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)
metrics = Metrics(service=SERVICE, namespace="BedrockModelCatalog")

# The package's modules log through the standard library; give them the same structured output.
logging.getLogger("model_catalog")
copy_config_to_registered_loggers(source_logger=logger, include={"model_catalog"})
