"""Management commands of the registry (run them as ``compact <command>``)."""
