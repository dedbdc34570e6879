# SPDX-License-Identifier: MIT
"""The browser workbench and the JSON API (`yoko serve`): engine.web.app.create_app.

May import: engine.base, engine.lang, engine.policy, engine.evaluation, engine.present, engine.review."""
