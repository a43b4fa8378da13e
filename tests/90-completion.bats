#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# bash completion (completion/switchcost.bash): commands, options, workloads and scenarios, read
# from the binary itself; make install puts it where bash-completion finds it.
bats_require_minimum_version 1.5.0
load helpers

# complete WORD...: what TAB offers after the words (the last one is being typed)
complete_words() {
	bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_switchcost; printf "%s\n" "${COMPREPLY[@]}"' _ \
		"$BATS_TEST_DIRNAME/../completion/switchcost.bash" "$SWITCHCOST" "$@"
}

@test "completion: commands and workloads first, lab's scenarios after lab" {
	run complete_words ""
	for w in run trace lab doctor report compare process thread coroutine syscall; do
		grep -qx "$w" <<<"$output"
	done
	run complete_words lab ""
	[ "$(sort <<<"$output")" = "$("$SWITCHCOST" lab --list | cut -d' ' -f1 | sort)" ]
	run complete_words --ipc ""
	[ "$(echo $output)" = "futex futex-private pipe" ]
}

@test "completion: every long option each command's --help names" {
	for cmd in $("$SWITCHCOST" --help | awk '/^Commands/ { on = 1; next } /^$/ { on = 0 }
			on && /^  [a-z]/ { print $1 }'); do
		want=$("$SWITCHCOST" $cmd --help | grep -oE '^ {2,}(-[a-zA-Z], )?--[a-z][a-z0-9-]*' |
			grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)
		[ -n "$want" ]
		for o in $want; do
			prefix=${o:0:3}
			complete_words $cmd "$prefix" | grep -qx -- "$o" || {
				echo "$cmd: $o not offered after '$prefix'" >&2
				return 1
			}
		done
	done
}

@test "make install puts the completion and the man page under DESTDIR" {
	[ -x "$SWITCHCOST" ]
	d=$BATS_TEST_TMPDIR/root
	run make -s -C "$BATS_TEST_DIRNAME/.." install DESTDIR="$d" prefix=/usr \
		O="$(dirname "$SWITCHCOST")"
	echo "$output" >&2
	[ "$status" -eq 0 ]
	[ -f "$d/usr/share/bash-completion/completions/switchcost" ]
	[ -f "$d/usr/share/man/man1/switchcost.1" ]
	[ -x "$d/usr/bin/switchcost" ]
}
