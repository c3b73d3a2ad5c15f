"""``python -m verdict_endpoint [serve] --bundle PATH ...``"""

import sys

from .cli import serve

args = sys.argv[1:]
if args[:1] == ["serve"]:
    args = args[1:]
sys.exit(serve(args))
