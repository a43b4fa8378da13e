# SPDX-License-Identifier: GPL-2.0-only
# bash completion for switchcost: commands, each command's options, run's workloads, lab's
# scenarios. Options and names are read from the installed binary's own --help and lab --list,
# so they always match the version installed. Installed by make install.

_switchcost_help_options()
{
	# every --long and -s option the help text names at the start of an entry
	"$1" $2 --help 2>/dev/null |
		grep -oE '^ {2,}(-[a-zA-Z], )?--[a-zA-Z][a-zA-Z0-9-]*|^ {2,}-[a-zA-Z]\b' |
		grep -oE -- '--?[a-zA-Z][a-zA-Z0-9-]*'
}

_switchcost_workloads()
{
	"$1" run --help 2>/dev/null |
		awk '/^Workloads/ { on = 1; next } /^[A-Z]/ { on = 0 } on && /^  [a-z]/ { print $1 }'
}

_switchcost_commands()
{
	"$1" --help 2>/dev/null |
		awk '/^Commands/ { on = 1; next } /^$/ { on = 0 } on && /^  [a-z]/ { print $1 }'
}

_switchcost()
{
	local cur prev bin=${COMP_WORDS[0]} cmd="" cmds i
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	cmds=$(_switchcost_commands "$bin")

	for ((i = 1; i < COMP_CWORD; i++)); do
		[ "${COMP_WORDS[i]}" = -- ] && break
		if grep -qxF -- "${COMP_WORDS[i]}" <<<"$cmds"; then
			cmd=${COMP_WORDS[i]}
			break
		fi
	done
	# trace -- CMD: complete the command and its files
	for ((i = 1; i < COMP_CWORD; i++)); do
		if [ "${COMP_WORDS[i]}" = -- ]; then
			if [ $((i + 1)) -eq "$COMP_CWORD" ]; then
				mapfile -t COMPREPLY < <(compgen -c -- "$cur")
			else
				mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			fi
			return
		fi
	done

	case $prev in
	--csv | --html | -o | --output | --perfetto)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
	--ipc)
		mapfile -t COMPREPLY < <(compgen -W "futex futex-private pipe" -- "$cur"); return ;;
	-p | --pid)
		mapfile -t COMPREPLY < <(compgen -W "$(ps -eo pid= 2>/dev/null)" -- "$cur"); return ;;
	-n | -r | --round-trips | --repeats | --warmup | --cpus | --unit | --iterations | \
	-d | --duration | -i | --interval | --ringbuf-size | --uprobe | --usdt | --ws)
		return ;;
	esac

	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_switchcost_help_options "$bin" "${cmd:-run}")" \
			-- "$cur")
		return
	fi
	case $cmd in
	"")
		mapfile -t COMPREPLY < <(compgen -W "$cmds $(_switchcost_workloads "$bin")" \
			-- "$cur") ;;
	run)
		mapfile -t COMPREPLY < <(compgen -W "$(_switchcost_workloads "$bin")" -- "$cur") ;;
	lab)
		mapfile -t COMPREPLY < <(compgen -W "$("$bin" lab --list 2>/dev/null | cut -d' ' -f1)" \
			-- "$cur") ;;
	report | compare)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
	esac
}
complete -F _switchcost switchcost
