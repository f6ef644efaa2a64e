"""Work every test repeated, done once per test process instead.

Each test builds its own app (``create_app``), and a new app starts from nothing: werkzeug
compiles a URL builder for each of its ~220 routes (Python ``compile`` of a generated function,
twice per route) and Jinja parses and compiles every template again on first render. On this
suite that was most of a short test's CPU time. Both results depend only on their inputs, so
they are kept between apps:

* URL builders, keyed by what the generated code is made from (the rule, its parsed parts,
  the names of its defaults); the function is bound to each new rule, as werkzeug does itself;
* compiled templates, in a Jinja bytecode cache (the mechanism Jinja offers for this) held in
  memory, keyed by template, source checksum and the environment's compile options.

Tests only: the application itself builds one app per process.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Flask
from jinja2 import BytecodeCache, Environment
from jinja2.bccache import Bucket
from werkzeug.routing import Rule


class MemoryBytecodeCache(BytecodeCache):
    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}

    def get_bucket(self, environment: Environment, name: str, filename: str | None, source: str):
        # The generated code depends on the environment's parse and compile options too.
        options = (
            environment.block_start_string,
            environment.block_end_string,
            environment.variable_start_string,
            environment.variable_end_string,
            environment.comment_start_string,
            environment.comment_end_string,
            environment.line_statement_prefix,
            environment.line_comment_prefix,
            environment.trim_blocks,
            environment.lstrip_blocks,
            environment.newline_sequence,
            environment.keep_trailing_newline,
            tuple(sorted(environment.extensions)),
            environment.optimized,
            environment.finalize is not None,
            environment.is_async,
            repr(environment.autoescape),
            type(environment).__qualname__,
        )
        key = hashlib.sha1(repr((name, filename, options)).encode()).hexdigest()
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._store.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._store[bucket.key] = bucket.bytecode_to_string()


_builders: dict[Any, Any] = {}


def _cached_compile_builder(original):
    def compile_builder(self: Rule, append_unknown: bool = True):
        defaults = self.defaults or {}
        if any(name in self._converters for name in defaults):
            # A default for a part of the path is written in by its converter: not cached.
            return original(self, append_unknown)
        key = (self.rule, tuple(self._trace), tuple(defaults), append_unknown)
        builder = _builders.get(key)
        if builder is None:
            builder = _builders[key] = original(self, append_unknown)
        return builder

    return compile_builder


def install() -> None:
    if getattr(Rule, "_lms_tests_cached", False):
        return
    Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": MemoryBytecodeCache()}
    Rule._compile_builder = _cached_compile_builder(Rule._compile_builder)
    Rule._lms_tests_cached = True
