#!/bin/sh
# Prints N numbered lines with a short pause between them, so a follower sees them arrive live.
n=${1:-20}
i=1
while [ "$i" -le "$n" ]; do
  echo "line $i"
  i=$((i + 1))
  sleep 0.05
done
