"""Anonymous readers' pages served from a cache keyed on one shared change counter."""
