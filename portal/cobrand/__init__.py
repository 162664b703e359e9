"""Co-branding: each partner org's brand kit (logo, contact block, accent colour), read by
co-branded templates and PDFs."""
