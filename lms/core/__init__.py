"""Pieces shared by every feature package: model base, permissions, pagination, errors, audit."""
