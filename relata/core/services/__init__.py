"""Writes. Every change of business data goes through a function here, named
`<entity>_<verb>`, taking the acting member and keyword-only arguments; it validates,
runs in one transaction, records its event and returns the object."""
