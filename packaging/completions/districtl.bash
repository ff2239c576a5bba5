# bash completion for districtl: verbs, options, and package names from the running daemon
# (installed names for remove/why/verify/pin/unpin, what the repositories offer for install/info/files).
# Installed as /usr/share/bash-completion/completions/districtl.

# Full names and plain names (name-arch-version-revision stripped) that `districtl list` prints; nothing when
# the daemon is not running. $1: --available or empty; $2: the --socket given on the line, if any.
_districtl_names()
{
    local full
    districtl ${2:+--socket "$2"} list $1 2>/dev/null | while IFS=$'\t' read -r full _; do
        [[ -n $full ]] || continue
        printf '%s\n%s\n' "$full" "${full%-*-*-*}"
    done | sort -u
}

_districtl()
{
    local cur=${COMP_WORDS[COMP_CWORD]}
    local verbs="status list search info install remove update rollback generations gc pin unpin files owns why history diff verify pack unpack keygen repo import-deb"
    local verb= socket= i
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
            --socket) socket=${COMP_WORDS[i + 1]}; ((i++)) ;;
            -*) ;;
            *) verb=${COMP_WORDS[i]}; break ;;
        esac
    done

    if [[ ${COMP_WORDS[COMP_CWORD - 1]} == --socket ]]; then
        COMPREPLY=($(compgen -f -- "$cur"))
        return
    fi

    if [[ -z $verb ]]; then
        COMPREPLY=($(compgen -W "$verbs --json --socket --help --version" -- "$cur"))
        return
    fi

    local options=
    case $verb in
        install) options="--dry-run --detach --reinstall" ;;
        update) options="--dry-run --detach --download-only --apply-downloaded --scheduled" ;;
        remove|rollback|pin|unpin) options="--dry-run" ;;
        gc) options="--dry-run --keep" ;;
        list) options="--available" ;;
    esac

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$options --help" -- "$cur"))
        return
    fi

    case $verb in
        install|info|files) COMPREPLY=($(compgen -W "$(_districtl_names --available "$socket")" -- "$cur")) ;;
        remove|why|verify|pin|unpin) COMPREPLY=($(compgen -W "$(_districtl_names "" "$socket")" -- "$cur")) ;;
        owns|pack|unpack|import-deb) COMPREPLY=($(compgen -f -- "$cur")) ;;
        repo) COMPREPLY=($(compgen -W "build import-apt" -- "$cur")) ;;
    esac
}

complete -F _districtl districtl
