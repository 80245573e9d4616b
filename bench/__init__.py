"""`make bench`: Soundpost measured against its ceilings in the same run (see RESULTS.md)."""
