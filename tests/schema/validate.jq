# SPDX-License-Identifier: GPL-2.0-only
# Checks one switchcost JSON document against the fields docs/JSON.md documents for it.
#   jq -n --slurpfile doc D.json --argjson fields FIELDS -f validate.jq
# FIELDS: [{"path": "results[].ebpf.switches", "optional": false}, ...], extracted from the
# tables of one document's section (tests/schema/fields). A path names object keys joined by
# ".", "[]" for the elements of an array of objects, "*" for a key that is data (a pid, a name).
# Prints {"undocumented": [...], "missing": [...]}; both empty when the document matches.

def join_path(p; k): if p == "" then k else p + "." + k end;

# the documented name of key k under documented path p: k itself, or "*" where the table
# has one and not k
def doc_key(known; p; k):
  join_path(p; k) as $full
  | if (known[$full] != null) or (known | keys | any(startswith($full + ".") or startswith($full + "[]")))
    then k elif known[join_path(p; "*")] != null then "*" else k end;

# every [path, holds_more] of the value at documented path p: holds_more when it is an object
# or an array (not null, not a scalar), so the fields under it are expected
def walk_paths(known; p):
  if type == "object" then
    to_entries[] | doc_key(known; p; .key) as $k | join_path(p; $k) as $q
    | ([$q, (.value | type == "object" or type == "array")]), (.value | walk_paths(known; $q))
  elif type == "array" then
    if any(.[]; type == "object") then
      ([p + "[]", true]), (.[] | select(type == "object") | walk_paths(known; p + "[]"))
    else empty end
  else empty end;

def parent: if test("\\[\\]$") then sub("\\[\\]$"; "")
  elif test("\\.") then sub("\\.[^.]*$"; "") else "" end;

($fields | map({(.path): .}) | add) as $known
| [$doc[0] | walk_paths($known; "")] as $seen
| ($seen | map({(.[0]): .[1]}) | add // {}) as $have
| {
    undocumented: [$seen[] | .[0] | select(endswith("[]") | not) | select($known[.] == null)]
      | unique,
    missing: [$fields[] | select(.optional | not) | .path
      | select($have[.] == null)
      | select(parent as $par | $par == "" or $have[$par] == true)]
  }
