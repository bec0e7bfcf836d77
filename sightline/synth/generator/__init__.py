"""The synthetic county generator: agency feeds in the sightline/1 exchange format, with ground
truth, for development, demos and benchmarks. Pure Python (no Django); see docs/synth.md."""

from sightline.synth.generator.county import Summary, generate_county

__all__ = ["Summary", "generate_county"]
