#!/bin/sh
# Both functions start through this script (AWS_LAMBDA_EXEC_WRAPPER in serverless.yml). The
# runtime's bootstrap runs it with its own command line: "$1" is the node binary, the rest the
# runtime's flags and entry point. It adds V8 flags that NODE_OPTIONS refuses, then execs node,
# so the runtime's process is unchanged otherwise.
#
# --no-wasm-tier-up --no-wasm-dynamic-tiering: WebAssembly stays on V8's baseline compiler
# (Liftoff) and is never recompiled by the optimizing one (TurboFan). The only WebAssembly in the
# bundles is undici's HTTP parser (llhttp). Once its parse function has run through V8's tiering
# budget, which happens in the first cold invocation, V8 recompiles that 34 KB function with
# TurboFan, holding about 23 MB of compiler memory at once: the largest single part of a cold
# invocation's peak memory (docs/benchmarks.md). Replies of a few hundred bytes gain nothing
# measurable from the optimized parser. Both flags are needed: without dynamic tiering alone V8
# compiles every parser function with TurboFan up front; without tier-up alone it still
# recompiles the parse function.
if [ "$#" -lt 1 ]; then
  echo "usage: $0 node [node arguments...]" >&2
  exit 64
fi
node="$1"
shift
exec "$node" --no-wasm-tier-up --no-wasm-dynamic-tiering "$@"
