"""The schema: its types, roots, loaders, limits and live fields. Imported by the server,
it imports resolvers/ for what each field means, and never the server."""
