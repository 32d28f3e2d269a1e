#!/usr/bin/env bash
# Packs the library into a local folder feed and builds and runs tests/PackageConsumer against the
# package by version (not a project reference), restoring into a fresh folder so no cached copy is
# used. Fails if the package is broken: a missing dependency, native asset or target framework.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
version="0.1.0-ci.$(date +%s)"
dotnet pack src/GradientDescent -c Release -o "$work/feed" -p:Version="$version"
ls -l "$work/feed"
size=$(stat -c %s "$work/feed/GradientDescent.$version.nupkg")
echo "package size: $size bytes (without its ILGPU dependencies)"
[ "$size" -lt 1048576 ] || { echo "package is over 1 MB"; exit 1; }
cp -r tests/PackageConsumer "$work/consumer"
cat > "$work/consumer/nuget.config" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="local" value="$work/feed" />
  </packageSources>
</configuration>
CONFIG
dotnet build "$work/consumer/PackageConsumer.csproj" -c Release -p:GradientDescentVersion="$version" \
  -p:RestorePackagesPath="$work/packages"
dotnet run --no-build -c Release --project "$work/consumer/PackageConsumer.csproj"
