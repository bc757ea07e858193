#!/bin/sh
# An agent that fails: some output, a message on stderr, exit code 3.
echo "agent: trying"
echo "agent: cannot do this: $1" >&2
exit 3
