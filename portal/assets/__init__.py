"""The asset library: upload, versions, audience-smart listing, downloads, search."""
