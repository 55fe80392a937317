"""Terraform: expressions evaluated over the parse tree, and the language's functions."""
