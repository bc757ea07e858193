#!/bin/sh
# An agent that ignores SIGTERM and leaves a grandchild behind: only a process-group SIGKILL ends it.
trap 'echo "agent: ignoring TERM"' TERM
sleep 300 &
echo "grandchild $!" 
echo "agent $$"
echo "$$ $!" > pids.txt
while true; do sleep 0.2; done
