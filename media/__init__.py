"""Photos: the pipeline that makes renditions of an upload (images.py) and where they are
stored, content-addressed (store.py). Imports none of the project's other packages."""
