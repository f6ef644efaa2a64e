"""The JSON API under ``/api/v1``: personal tokens, the resources of the other features, and
the OpenAPI document generated from the code (APIFlask)."""
