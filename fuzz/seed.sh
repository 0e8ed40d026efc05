#!/bin/sh
# Seeds the fuzz corpora from the fixture sites and the shipped content (run from fuzz/).
set -eu
for target in front_matter shortcode markdown registry; do mkdir -p "corpus/$target"; done
find ../content ../tests/fixtures -name '*.md' | while IFS= read -r file; do
    name=$(echo "$file" | tr '/. ' '___')
    for target in front_matter shortcode markdown; do cp "$file" "corpus/$target/$name"; done
done
for dir in ../content ../tests/fixtures/base/content ../tests/fixtures/registry/content; do
    [ -f "$dir/deals.toml" ] || continue
    name=$(echo "$dir" | tr '/. ' '___')
    series=$(find "$dir/series" -name '*.toml' 2>/dev/null | head -n 1)
    {
        cat "$dir/deals.toml"; printf '\n%%%%%%\n'
        cat "$dir/companies.toml"; printf '\n%%%%%%\n'
        cat "$dir/site.toml"
        if [ -n "$series" ]; then printf '\n%%%%%%\n'; cat "$series"; fi
    } > "corpus/registry/$name"
done
find ../tests/fixtures/invalid ../tests/fixtures/hostile -name 'deals.toml*' 2>/dev/null | while IFS= read -r file; do
    cp "$file" "corpus/registry/$(echo "$file" | tr '/. ' '___')"
done
