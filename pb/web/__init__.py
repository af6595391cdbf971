"""Blueprints, one package per feature: thin routes and forms that call services."""
