"""Generated documentation: the editor's JSON Schemas and the field reference."""
