"""python -m converter runs the s3repl command line."""

from .cli import main

main()
