"""The bottom floor: small pieces every layer may use (clock, backoff, units, display,
the one YAML reader, the one error a runner sees...), importing nothing else of treadpace."""
