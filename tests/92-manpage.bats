#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# docs/switchcost.1 covers every command and every option their --help names, with EXAMPLES,
# and man renders it without warnings.
bats_require_minimum_version 1.5.0
load helpers

MAN=$BATS_TEST_DIRNAME/../docs/switchcost.1

@test "man page: every command's every long option, each command a section, EXAMPLES" {
	for cmd in $("$SWITCHCOST" --help | awk '/^Commands/ { on = 1; next } /^$/ { on = 0 }
			on && /^  [a-z]/ { print $1 }'); do
		grep -q "^\.SH .*$(tr a-z A-Z <<<"$cmd")" "$MAN" || { echo "no section for $cmd" >&2; return 1; }
		for o in $("$SWITCHCOST" $cmd --help | grep -oE '^ {2,}(-[a-zA-Z], )?--[a-z][a-z0-9-]*' |
			grep -oE -- '--[a-z][a-z0-9-]*' | sort -u); do
			# groff spells - as \-
			grep -qF -- "${o//-/\\-}" "$MAN" || { echo "$cmd: $o missing" >&2; return 1; }
		done
	done
	grep -q '^\.SH EXAMPLES' "$MAN"
	grep -q 'SWITCHCOST_DISABLE' "$MAN"
}

@test "man page renders without warnings" {
	command -v man >/dev/null || skip "needs man (man-db)"
	run --separate-stderr env MANWIDTH=100 man --warnings -l "$MAN"
	echo "$stderr" >&2
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[[ "$output" == *"EXAMPLES"* ]]
}
