#!/usr/bin/env bash
# Packs GradientDescent and GradientDescent.Mnist10k into a local folder feed, then builds, runs and
# publishes tests/PackageConsumer against both packages by version (not project references), restoring
# into a fresh folder so no cached copy is used. Fails if a package is broken: a missing dependency,
# native asset or target framework, or MNIST files that do not arrive beside the app (built or published).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
version="0.1.0-ci.$(date +%s)"
dotnet pack src/GradientDescent -c Release -o "$work/feed" -p:Version="$version"
dotnet pack src/GradientDescent.Mnist10k -c Release -o "$work/feed" -p:Version="$version"
ls -l "$work/feed"
check_size() {
  local file="$work/feed/$1.$version.nupkg" limit=$2
  local size
  size=$(stat -c %s "$file")
  echo "$1 package size: $size bytes (without dependencies)"
  [ "$size" -lt "$limit" ] || { echo "$1 package is over $limit bytes"; exit 1; }
}
check_size GradientDescent 1048576
check_size GradientDescent.Mnist10k 2097152
# The digits must travel as contentFiles that are copied to the output, and the data package must
# depend on the library at the same version.
nuspec=$(unzip -p "$work/feed/GradientDescent.Mnist10k.$version.nupkg" GradientDescent.Mnist10k.nuspec)
grep -q 'copyToOutput="true"' <<<"$nuspec" || { echo "Mnist10k: contentFiles are not copied to the output"; echo "$nuspec"; exit 1; }
grep -q "id=\"GradientDescent\" version=\"$version\"" <<<"$nuspec" || { echo "Mnist10k: no dependency on GradientDescent $version"; echo "$nuspec"; exit 1; }
cp -r tests/PackageConsumer "$work/consumer"
cat > "$work/consumer/nuget.config" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="local" value="$work/feed" />
  </packageSources>
</configuration>
CONFIG
props=(-c Release -p:GradientDescentVersion="$version" -p:RestorePackagesPath="$work/packages")
dotnet build "$work/consumer/PackageConsumer.csproj" "${props[@]}"
dotnet run --no-build -c Release --project "$work/consumer/PackageConsumer.csproj"
# A published copy, run from another folder, must carry the digits too.
dotnet publish "$work/consumer/PackageConsumer.csproj" "${props[@]}" -o "$work/published"
(cd "$work" && dotnet published/PackageConsumer.dll)
