"""Forms, one module per area, matching `views/`."""
