#!/usr/bin/env bash
# make lint — clang-tidy (config: .clang-tidy) over every C source, and a clang-format check.
set -uo pipefail
cd "$(dirname "$0")/.."
[[ -f build/compile_commands.json ]] || { echo "lint: run 'make build' first" >&2; exit 1; }
clang-tidy -p build --quiet $(git ls-files 'src/*.c') >build/clang-tidy.txt 2>/dev/null
if grep -E '(warning|error):' build/clang-tidy.txt; then
  echo "lint: clang-tidy found problems (full output: build/clang-tidy.txt)"
  exit 1
fi
echo "lint: clang-tidy clean"
bad=""
for f in $(git ls-files '*.c' '*.h'); do
  [[ -n $(clang-format --dry-run "$f" 2>&1) ]] && bad+="$f "
done
if [[ -n $bad ]]; then echo "lint: not clang-formatted (run make format): $bad"; exit 1; fi
echo "lint: clang-format clean"
