# SPDX-License-Identifier: MIT
"""Policy files: reading YAML with locations, the JSON Schema, loading and checking a policy,
inheritance (extends/override/drop), the registry of jurisdictions and years, reference periods,
TODO markers and the caches of loaded policies.

May import: engine.base, engine.lang."""
