"""Real server processes, faults and clusters (marked `system`)."""
