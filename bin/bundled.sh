# Sourced by the launchers in bin/ (with $root set): runs a program from its bundle (one
# JavaScript file, see scripts/bundle.mjs), made again whenever a source file, a package
# manifest or the lockfile is newer than it. `exec` replaces the launcher with the program.
# Flags for node itself go in the array `node_flags`, set before the call.
run_bundled() {
  local name="$1" bundle="$root/$2" sources="$root/$3"
  shift 3
  if [ ! -f "$root/node_modules/esbuild/package.json" ]; then
    echo "$name: dependencies are missing; run 'pnpm install' in $root first" >&2
    exit 1
  fi
  if [ ! -f "$bundle" ] || [ -n "$(find "$root/apps" "$root/packages" "$root/pnpm-lock.yaml" \
    -path '*/node_modules' -prune -o -path '*/dist' -prune -o \
    \( -name '*.ts' -o -name 'package.json' -o -name 'pnpm-lock.yaml' \) -newer "$bundle" -print -quit)" ]; then
    if ! node "$root/scripts/bundle.mjs" "$name" >&2; then
      # No bundle (a read-only checkout, …): the sources through the TypeScript loader still work.
      exec node ${node_flags[@]+"${node_flags[@]}"} --import "file://$root/node_modules/tsx/dist/loader.mjs" "$sources" "$@"
    fi
  fi
  exec node ${node_flags[@]+"${node_flags[@]}"} "$bundle" "$@"
}
