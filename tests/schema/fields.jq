# SPDX-License-Identifier: GPL-2.0-only
# The documented fields of every document, from the tables of docs/JSON.md:
#   jq -R -s -f fields.jq docs/JSON.md  ->  {"run": [{"path", "optional"}, ...], ...}
# A line `<!-- fields: DOC DOC ... -->` names the documents of the table below it; a table
# row's first cell is the path in backticks, its second the type ("optional" when it may be
# absent).
reduce (split("\n")[]) as $line ({docs: [], out: {}};
  if ($line | test("^<!-- fields: ")) then
    .docs = ($line | capture("^<!-- fields: (?<d>.*) -->").d | split(" ") | map(select(. != "")))
  elif ($line | test("^\\| `")) and (.docs | length > 0) then
    ($line | split("|") | map(gsub("^ +| +$"; ""))) as $cells
    | { path: ($cells[1] | gsub("`"; "")), optional: ($cells[2] | test("optional")) } as $f
    | reduce .docs[] as $d (.; .out[$d] += [$f])
  elif ($line | test("^\\|")) then .
  else .docs = [] end)
| .out
