"""Photos: the pipeline that makes renditions (images.py) and where they are stored (store.py)."""
