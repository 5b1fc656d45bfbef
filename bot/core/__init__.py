"""The pure domain: knowledge models, matching, the engine and flows. No channel, database or YAML."""
