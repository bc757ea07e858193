#!/bin/sh
# For the dispatch benchmark: records the moment the agent process started (ns since epoch).
date +%s%N > "$1"
