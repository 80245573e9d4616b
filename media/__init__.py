"""Media: the photo pipeline (images.py: what an upload is, checked from its bytes, and the
renditions made of it) and, later, their storage. Imports none of the other packages;
resolvers/ and server/ may import it."""
