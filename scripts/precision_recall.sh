#!/usr/bin/env bash
# Precision and recall per detector on the generated labelled corpus
# (Tests/RedlineEngineTests/LabelledCorpus.swift: deterministic SplitMix64, seed 20261125).
# Usage: scripts/precision_recall.sh [scratch-path]   (REDLINE_PR_DEBUG=1 also lists false positives)
set -euo pipefail
cd "$(dirname "$0")/.."
scratch="${1:-.build-core}"
swift test --scratch-path "$scratch" --filter 'PrecisionRecallTests' 2>&1 | grep -E '^PR\|' | sed 's/^PR| //'
