"""Load stage: YAML files read with the position (file:line:column) of every value."""
