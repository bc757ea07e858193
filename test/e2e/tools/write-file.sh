#!/bin/sh
# A stand-in agent: "edits the codebase" by writing the prompt into a file, narrating as it goes.
echo "agent: starting in $(pwd)"
echo "$1" > agent-output.txt
echo "agent: wrote agent-output.txt"
echo "agent: done" >&2
