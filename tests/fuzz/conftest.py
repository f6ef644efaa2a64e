"""Fuzz tests run on the access matrix's world (built once per module, every request rolled
back), as an identity the matrix allows. Hypothesis profiles: ``ci`` (the default, bounded,
derandomized) in ``make test``; ``fuzz`` (many more examples) under ``make fuzz``."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

from tests.access.conftest import arena  # noqa: F401  (the world, built once per module)

COMMON = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
}
settings.register_profile("ci", max_examples=3, derandomize=True, **COMMON)
# LMS_FUZZ_EXAMPLES: examples per route under the "fuzz" profile (300 unless given).
settings.register_profile(
    "fuzz", max_examples=int(os.environ.get("LMS_FUZZ_EXAMPLES") or 300), **COMMON
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
