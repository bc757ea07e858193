#!/bin/sh
# An agent that runs until it is stopped.
echo "agent: working"
while true; do sleep 0.2; done
