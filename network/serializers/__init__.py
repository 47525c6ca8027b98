"""Input (``*In``) and output (``*Out``) serializers, split by topic."""
